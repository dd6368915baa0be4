"""``gopherlab top``: pprof's ``-top`` table from the command line, or as CSV."""

from __future__ import annotations

import argparse
import sys

from .errors import PprofParseError
from .present.top import format_percentage


def top_main(argv: list[str]) -> int:
    """``gopherlab top PROFILE [-sample_index X] [-cum] [-granularity G] [-noinlines] [-mean] [-csv]``.

    Prints what ``go tool pprof -top -nodefraction=0 -unit=ns|B`` prints
    (exact integers in the sample type's unit), or the DataFrame as CSV.
    Exit status 0, or 2 on unreadable input / bad options.
    """
    ap = argparse.ArgumentParser(prog="gopherlab top", description=top_main.__doc__.splitlines()[0])
    ap.add_argument("profile")
    ap.add_argument("-sample_index", "--sample-index", default=None)
    ap.add_argument("-cum", "--cum", action="store_true")
    ap.add_argument("-granularity", "--granularity", default="functions")
    ap.add_argument("-noinlines", "--noinlines", action="store_true")
    ap.add_argument("-mean", "--mean", action="store_true")
    ap.add_argument("-csv", "--csv", action="store_true", help="print the DataFrame as CSV")
    args = ap.parse_args(argv)
    from .read.profile_reader import read_profile

    try:
        prof = read_profile(args.profile)
        df = prof.top(args.sample_index, cum=args.cum, granularity=args.granularity, noinlines=args.noinlines, mean=args.mean)
    except (PprofParseError, OSError) as e:
        print(f"gopherlab top: {e}", file=sys.stderr)
        return 2
    if args.csv:
        df.to_csv(sys.stdout, index=False)
        return 0
    total, unit = df.attrs["total"], _suffix(df.attrs["unit"])
    print(f"Type: {df.attrs['sample_type']}")
    print(f"Showing nodes accounting for {int(df['flat'].sum())}{unit}, "
          f"{format_percentage(int(df['flat'].sum()), total).strip()} of {total}{unit} total")
    print(f"{'flat':>10} {'flat':>5}% {'sum':>5}% {'cum':>10} {'cum':>5}%")
    running = 0
    for r in df.itertuples():
        running += r.flat
        inl = f" ({r.inline})" if r.inline else ""
        print(f"{_v(r.flat, unit):>10} {format_percentage(r.flat, total)} {format_percentage(running, total)} "
              f"{_v(r.cum, unit):>10} {format_percentage(r.cum, total)}  {r.name}{inl}")
    return 0


def _suffix(unit: str) -> str:
    return {"nanoseconds": "ns", "bytes": "B"}.get(unit, "")


def _v(v: int, unit: str) -> str:
    return "0" if v == 0 else f"{v}{unit}"
