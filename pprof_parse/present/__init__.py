"""Present stage: tables and text built from analysed profiles."""
