"""Rendering: benchstat text and CSV, Go number formats, plots."""
