"""Model stage: the decoded profile (columnar) and its DataFrame views."""
