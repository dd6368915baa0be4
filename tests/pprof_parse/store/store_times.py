"""The times the store tests give their windows (time_nanos): the first window's time
(2026-12-04 23:00:00 UTC) and the spacing, so the windows span two UTC days."""

T0 = 1_796_425_200 * 10**9
STEP = 10 * 60 * 10**9  # 10 minutes
