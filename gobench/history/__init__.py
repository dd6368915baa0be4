"""Benchmark histories: many commits read together, and the change points in them."""
from .changepoints import change_points
from .formats import HistoryFormatError
from .read import read_history

__all__ = ["read_history", "change_points", "HistoryFormatError"]
