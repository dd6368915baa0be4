"""benchproc: filter and projection grammar, keys and sort orders."""
