"""``read_benchstat``: saved benchstat reports (v1 and v2, text and CSV) as one DataFrame.

Formats recognised (first match wins):

* **v2 CSV** – ``-format csv``: one-field ``key: value`` records, a column-key
  header row per ``-col`` field, a ``,<unit>,CI,<unit>,CI,vs base,P`` row, data
  rows, a ``geomean`` row; both the padded (2025+) and the short (older) header
  layouts.
* **v2 text** – ``│`` column rules, the unit row, ``±`` ranges, ``vs base``
  deltas, superscript footnotes.
* **v1 CSV** – ``name,old time/op (ns/op),±,new time/op (ns/op),±,delta,±``
  (with or without the ``±`` columns), group rows ``pkg:… goos:…``.
* **v1 text** – ``name  old time/op  new time/op  delta``, values carrying unit
  suffixes (``744ns``, ``1.42GB/s``, ``8.19kB``), ``±35%``, ``(p=0.442 n=8+8)``,
  ``(all equal)``, ``[Geo mean]`` rows.

Numbers are converted to benchstat v2's tidied base units (``sec/op``, ``B/s``,
``B/op``…), so v1 and v2 reports can be compared (v1 centers are means after
outlier removal, v2 centers are medians: the numbers are not interchangeable).

Hostile input: a number that overflows float64 (other than a printed ``Inf``), or
a sample count ``n=`` beyond int64, is a :class:`~gobench.errors.BenchstatFormatError`
naming the line; no number wraps or becomes ``inf`` silently, and a report that
yields no cell at all is an error too.  Line ends: ``\n`` and ``\r\n``, or ``\r``
alone in a text without ``\n`` (classic Mac); a leading UTF-8 BOM is dropped.
benchstat writes ``\n`` only, and its CSV writer (Go's encoding/csv) quotes any
field holding ``\r``, so an unquoted ``\r`` inside a CSV report is an error at its
line (in text reports it is white space, as in Go's ``strings.Fields``).
"""
from __future__ import annotations

import bisect
import csv
import io
import math
import os
import re

import numpy as np
from gopherlab_common.lazy import pd

from ..errors import BenchstatFormatError
from .sources import MAX_INPUT_BYTES, TextSource, _read_stream, read_path, source_or_text
from ..units import tidy_unit

__all__ = ["read_benchstat", "REPORT_COLUMNS"]

#: Columns of :func:`read_benchstat`'s frame (configuration columns follow).
REPORT_COLUMNS = ("format", "table", "row", "column", "unit", "center", "range", "range_pct",
                  "delta", "delta_pct", "significant", "p", "n1", "n2", "note", "is_geomean",
                  "warnings")

_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SI = {"T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3, "": 1.0, "m": 1e-3, "µ": 1e-6, "μ": 1e-6,
       "n": 1e-9, "p": 1e-12}
_IEC = {"Ti": 2.0 ** 40, "Gi": 2.0 ** 30, "Mi": 2.0 ** 20, "Ki": 2.0 ** 10}


_NUM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:Inf|inf)|NaN")
_INT64_MAX = (1 << 63) - 1


def _num(s: str) -> float:
    """A number as benchstat prints it (decimal, ``Inf``, ``NaN``) as float64.

    Raises ValueError for other text, and ``value out of range`` for a finite
    number that overflows float64 (it would silently become inf)."""
    if _NUM.fullmatch(s) is None:
        raise ValueError(f"bad number {s[:40]!r}")
    v = float(s)
    if math.isinf(v) and "nf" not in s:
        raise ValueError(f"number {s[:20]}… (of {len(s)} characters): value out of range")
    return v


def _count(s: str) -> int:
    """A sample count (``n=8``) as int64; ValueError beyond int64 (Python's ``int()``
    is never given more than 19 significant digits)."""
    digits = s.lstrip("0")
    if len(digits) > 19 or int(digits or "0") > _INT64_MAX:
        raise ValueError(f"sample count n={s[:20]}… (of {len(s)} digits): value out of "
                         "range of int64")
    return int(digits or "0")


def _sup_to_int(s: str) -> int:
    return int("".join(str(_SUP.index(c)) for c in s[:6]))


def _v2_number(s: str) -> float:
    """``703.6n`` → 7.036e-07, ``1.355Gi`` → 1.355·2**30."""
    m = re.fullmatch(r"([+-]?[0-9.]+(?:e[+-]?[0-9]+)?|[+-]?Inf|NaN)(Ki|Mi|Gi|Ti|[TGMkmµμnp]?)", s)
    if m is None:
        raise ValueError(f"bad number {s[:40]!r}")
    v = _num(m.group(1))
    pre = m.group(2)
    return v * (_IEC[pre] if pre in _IEC else _SI[pre])


def _parse_note(note: str | None):
    p = n1 = n2 = None
    if note:
        m = re.search(r"p=([0-9.]+)", note)
        if m:
            p = _num(m.group(1))
        m = re.search(r"n=([0-9]+)(?:\+([0-9]+))?", note)
        if m:
            n1 = _count(m.group(1))
            n2 = _count(m.group(2)) if m.group(2) else n1
    return p, n1, n2


def _delta_pct(d: str | None):
    if not d or d in ("~", "?"):
        return math.nan
    t = d.rstrip("%")
    return _num(t) if _NUM.fullmatch(t) else math.nan


def _range_pct(r: str | None):
    if r and r.endswith("%"):
        return _num(r[:-1]) if _NUM.fullmatch(r[:-1]) else math.nan
    return math.nan


def _record(fmt, table, config, row, column, unit, center, rng, delta, note, warnings,
            is_geomean):
    p, n1, n2 = _parse_note(note)
    rec = {"format": fmt, "table": table, "row": row, "column": column, "unit": unit,
           "center": center, "range": rng, "range_pct": _range_pct(rng), "delta": delta,
           "delta_pct": _delta_pct(delta),
           "significant": None if (delta is None or delta == "" or is_geomean) else (delta != "~"),
           "p": p, "n1": n1, "n2": n2, "note": note, "is_geomean": is_geomean,
           "warnings": warnings}
    rec.update(config)
    return rec


# ---------------------------------------------------------------- v2 text

_CELL = re.compile(
    r"^\s*(?P<center>(?:[+-]?[0-9.]+(?:e[+-]?[0-9]+)?(?:Ki|Mi|Gi|Ti|[TGMkmµμnp])?|[+-]?Inf|NaN)(?=\s|$))?\s*(?:±\s*(?P<range>\S+))?(?P<m1>(?:\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*+)"
    r"\s*(?P<delta>~|\?|[+-]?(?:[0-9.]+|Inf)%)?\s*(?:\((?P<note>[^)]*)\))?"
    r"(?P<m2>(?:\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*+)\s*$")


def _parse_v2_text(text: str, pos: list):
    lines = text.split("\n")
    recs = []
    config: dict[str, str] = {}
    table = -1
    i = 0
    while i < len(lines):
        pos[0] = i + 1
        line = lines[i]
        if "│" not in line:
            m = re.match(r"^([^\s:│]+): (.*)$", line)
            if m:
                config[m.group(1)] = m.group(2)
            i += 1
            continue
        # a table: header rows, then data rows until blank, then footnotes
        head = []
        while i < len(lines) and "│" in lines[i]:
            head.append(lines[i])
            i += 1
        body_start = i + 1
        body = []
        while i < len(lines) and lines[i].strip() and lines[i][0] not in _SUP:
            body.append(lines[i])
            i += 1
        notes = {}
        while i < len(lines) and lines[i] and lines[i][0] in _SUP:
            pos[0] = i + 1
            m = re.match(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+) (.*)$", lines[i])
            if m:
                notes[_sup_to_int(m.group(1))] = m.group(2)
            i += 1
        table += 1
        pos[0] = body_start - len(head)
        recs.extend(_v2_table(head, body, notes, table, dict(config), pos, body_start))
    return recs


def _bars(line: str) -> list[int]:
    return [j for j, c in enumerate(line) if c == "│"]


def _v2_table(head, body, notes, table, config, where, body_start):
    unit_row = head[-1]
    key_rows = head[:-1]
    bars = _bars(key_rows[-1] if key_rows else unit_row)
    ncol = len(bars) - 1
    if ncol < 1:
        raise BenchstatFormatError(f"table {table}: no columns in header {unit_row[:80]!r}")
    unit = unit_row[bars[0] + 1:].split()[0]
    # column labels: for each level, the node covering each column
    labels = [[] for _ in range(ncol)]
    for kr in key_rows:
        kb = _bars(kr)
        for c in range(ncol):
            pos = bars[c] + 1
            j = bisect.bisect_left(kb, pos)     # kb[j - 1] < pos <= kb[j]
            if 0 < j < len(kb):
                labels[c].append(kr[kb[j - 1] + 1:kb[j]].strip())
    columns = [" ".join(v for v in lab if v) for lab in labels]
    bounds = [b - 1 for b in bars[:-1]] + [None]
    recs = []
    for k, line in enumerate(body):
        where[0] = body_start + k
        label = line[:bounds[0]].rstrip()
        is_geo = label == "geomean"
        for c in range(ncol):
            seg = line[bounds[c]:bounds[c + 1]] if bounds[c + 1] is not None else line[bounds[c]:]
            seg = seg.lstrip(" │")
            if not seg.strip():
                continue
            m = _CELL.match(seg)
            if m is None:
                raise BenchstatFormatError(f"table {table}: cannot parse cell {seg[:80]!r}")
            center = _v2_number(m.group("center")) if m.group("center") else math.nan
            marks = (m.group("m1") or "").split() + (m.group("m2") or "").split()
            warns = [notes.get(_sup_to_int(x), x) for x in marks]
            recs.append(_record("v2-text", table, config, label, columns[c], unit, center,
                                m.group("range"), m.group("delta") if c > 0 else None,
                                m.group("note"), warns, is_geo))
    return recs


# ---------------------------------------------------------------- v2 CSV

def _csv_rows(text: str, pos: list):
    """``(rows, line numbers)`` of CSV *text* (\\n line ends); an unquoted ``\\r`` is
    a ValueError at its line (``pos`` holds it)."""
    reader = csv.reader(io.StringIO(text, newline="\n"))
    rows, at = [], []
    while True:
        pos[0] = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return rows, at
        except csv.Error as e:
            if "new-line" in str(e):
                raise ValueError("stray carriage return in an unquoted CSV field "
                                 "(benchstat's CSV writer quotes such fields)") from None
            raise ValueError(f"CSV: {e}") from None
        rows.append(row)
        at.append(reader.line_num)


def _parse_v2_csv(text: str, pos: list):
    rows, at = _csv_rows(text, pos)
    recs = []
    config: dict[str, str] = {}
    table = -1
    i = 0
    while i < len(rows):
        pos[0] = at[i]
        r = rows[i]
        if not r or r == [""]:
            i += 1
            continue
        if len(r) == 1:
            m = re.match(r"^([^\s:]+): ?(.*)$", r[0])
            if m:
                config[m.group(1)] = m.group(2)
            i += 1
            continue
        head = []
        while i < len(rows) and len(rows[i]) > 1 and rows[i][0] == "":
            head.append(rows[i])
            i += 1
        if not head:
            raise ValueError(f"a row of {len(r)} fields where a table header was expected")
        unit_row = head[-1]
        starts = [j for j, v in enumerate(unit_row) if v == "CI"]
        starts = [j - 1 for j in starts]
        unit = unit_row[starts[0]]
        columns = []
        for s in starts:
            columns.append(" ".join(kr[s] for kr in head[:-1] if s < len(kr) and kr[s]))
        table += 1
        while i < len(rows) and rows[i] and rows[i] != [""] and len(rows[i]) > 1:
            pos[0] = at[i]
            r = rows[i]
            label = r[0]
            is_geo = label == "geomean"

            def field(j):
                return r[j] if j < len(r) and r[j] else None

            for c, s in enumerate(starts):
                # a data cell exists iff its center is printed; the geomean row has
                # every column (its center is empty when no geomean was possible)
                if field(s) is None and not is_geo:
                    continue
                center = _num(field(s)) if field(s) else math.nan
                recs.append(_record("v2-csv", table, dict(config), label, columns[c], unit,
                                    center, field(s + 1), field(s + 2) if c > 0 else None,
                                    field(s + 3) if c > 0 else None, [], is_geo))
            i += 1
    return recs


# ---------------------------------------------------------------- v1

#: a v1 group row ``pkg:… goos:…`` (atomic groups: a token with several ``:`` is
#: split one way only, so a near miss costs linear time, not exponential)
_V1_CONFIG = re.compile(r"^(?>\S+:\S*)(?> (?>\S+:\S*))*\s*$")

_V1_METRIC_UNIT = {"time/op": "ns/op", "speed": "MB/s", "alloc/op": "B/op"}


def _v1_unit(metric: str) -> str:
    if metric in _V1_METRIC_UNIT:
        return _V1_METRIC_UNIT[metric]
    if metric.endswith("-time/op"):
        return metric[:-len("time/op")] + "ns/op"
    return metric


def _v1_value(tok: str, orig_unit: str) -> float:
    """A v1 text value with its scale suffix (``744ns``, ``1.42GB/s``, ``8.19kB``, ``2.17k``).

    Times come back in seconds and speeds in bytes per second (already tidied);
    everything else is the number times its SI prefix, in the original unit.
    """
    m = re.fullmatch(r"([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([TGMkmµμnp]?)([A-Za-z/]*)", tok)
    if m is None:
        raise ValueError(f"bad v1 value {tok[:40]!r}")
    return _num(m.group(1)) * _SI[m.group(2)]


def _v1_to_tidy(value: float, orig_unit: str, from_text: bool):
    """Convert a v1 number to v2's tidied unit."""
    tidied, factor = tidy_unit(orig_unit)
    if from_text and (orig_unit.endswith("ns/op") or orig_unit == "MB/s"):
        return value, tidied  # text values already carry their scale
    return value * factor, tidied


def _parse_v1_text(text: str, pos: list):
    recs = []
    table = -1
    cols: list[str] = []
    orig_unit = ""
    config: dict[str, str] = {}
    for lineno, line in enumerate(text.split("\n"), 1):
        pos[0] = lineno
        if not line.strip():
            continue
        if line.startswith("name"):
            table += 1
            config = {}
            rest = line[4:].strip()
            if rest.startswith("\\"):
                parts = rest[1:].split()
                metric, cols = parts[0], parts[1:]
            else:
                parts = rest.split()
                if parts and parts[-1] == "delta":
                    metric = parts[1]
                    cols = [parts[0], parts[2]]
                else:
                    metric, cols = parts[0], [""]
            orig_unit = _v1_unit(metric)
            continue
        if _V1_CONFIG.match(line) and ":" in line.split()[0] and "/" not in line.split()[0].split(":")[0]:
            config = dict(kv.split(":", 1) for kv in line.split())
            continue
        if line.startswith("[Geo mean]"):
            label, rest = "[Geo mean]", line[len("[Geo mean]"):]
        else:
            label, _, rest = line.partition(" ")
        toks = rest.split()
        vals = []
        delta = note = None
        j = 0
        while j < len(toks):
            t = toks[j]
            if t.startswith("("):
                note = " ".join(toks[j:]).strip("()")
                break
            if t == "~" or re.fullmatch(r"[+-](?:[0-9.]+|Inf)%", t):
                delta = t
                j += 1
                continue
            rng = None
            if j + 1 < len(toks) and toks[j + 1].startswith("±"):
                rng = toks[j + 1][1:] or (toks[j + 2] if j + 2 < len(toks) else None)
                step = 2 if toks[j + 1] != "±" else 3
            else:
                step = 1
            vals.append((t, rng))
            j += step
        for c, (tok, rng) in enumerate(vals):
            v = _v1_value(tok, orig_unit)
            v, unit = _v1_to_tidy(v, orig_unit, True)
            column = cols[c] if c < len(cols) else str(c)
            recs.append(_record("v1-text", table, config, label, column, unit, v, rng,
                                delta if (c == len(vals) - 1 and c > 0) else None,
                                note if c == len(vals) - 1 and c > 0 else None, [],
                                label == "[Geo mean]"))
    return recs


def _parse_v1_csv(text: str, pos: list):
    rows, at = _csv_rows(text, pos)
    recs = []
    table = -1
    config: dict[str, str] = {}
    layout = []
    has_pm = False
    for r, lineno in zip(rows, at):
        pos[0] = lineno
        if not r or r == [""]:
            continue
        if r[0] == "name":
            table += 1
            config = {}
            layout = []
            for j, h in enumerate(r[1:], 1):
                m = re.fullmatch(r"(?:(\S+) )?(\S+) \((.+)\)", h)
                if m:
                    layout.append((j, m.group(1) or "", m.group(3)))
            has_pm = "±" in r
            continue
        if len(r) == 1:
            config = dict(kv.split(":", 1) for kv in r[0].split() if ":" in kv)
            continue
        label = r[0]
        tail = r[layout[-1][0] + (2 if has_pm else 1):] if layout else []
        delta = tail[0] if tail else None
        note = tail[1].strip("()") if len(tail) > 1 else None
        for c, (j, col, ou) in enumerate(layout):
            if j >= len(r) or r[j] == "":
                continue
            v, unit = _v1_to_tidy(_num(r[j]), ou, False)
            rng = r[j + 1] if has_pm and j + 1 < len(r) and r[j + 1] else None
            last = c == len(layout) - 1 and c > 0
            recs.append(_record("v1-csv", table, config, label, col, unit, v, rng,
                                delta if last else None, note if last else None, [],
                                label == "[Geo mean]"))
    return recs


def _plain_line_ends(text: str) -> str:
    """*text* without a leading BOM, with ``\\r\\n`` as ``\\n``, and with ``\\r`` as
    ``\\n`` when the text has no ``\\n`` at all (CR-only line ends)."""
    if text[:1] == "\ufeff":
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n") if "\n" in text else text.replace("\r", "\n")
    return text


def _detect(text: str) -> str:
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    if "│" in text:
        return "v2-text"
    if first.startswith("name,"):
        return "v1-csv"
    if first.startswith("name"):
        return "v1-text"
    if re.search(r"^,.*,CI(,|$)", text, re.M):
        return "v2-csv"
    raise BenchstatFormatError("not a benchstat report: no v1 'name' header, no v2 '│' or CSV "
                               "'CI' header")


def _report_text(src) -> tuple[str, str]:
    """``(text, name)`` of a report source (see :func:`read_benchstat`)."""
    if isinstance(src, TextSource):
        return src.text, "<text>"
    if isinstance(src, (str, os.PathLike)):
        name = os.fspath(src)
        return read_path(name).decode("utf-8", errors="replace"), name
    if isinstance(src, (bytes, bytearray)):
        return bytes(src).decode("utf-8", errors="replace"), "<bytes>"
    if hasattr(src, "read"):
        name = getattr(src, "name", None)
        name = name if isinstance(name, str) else "<file>"
        data = _read_stream(src.read, name, MAX_INPUT_BYTES)
        return (data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data), name
    raise TypeError(f"report source must be a path, bytes or file object (or text=...), not {type(src).__name__}")


def read_benchstat(src=None, *, text: str | None = None) -> pd.DataFrame:
    """Parse a saved benchstat report (v1 or v2, text or CSV) into a tidy DataFrame.

    Parameters
    ----------
    src : str, os.PathLike, bytes or file object
        As pandas' readers take it: a ``str`` or path-like is a **path**; bytes
        or an open file (text or binary) the report itself.  Bytes are UTF-8
        (bad bytes become U+FFFD); a leading BOM is dropped; ``\n``, ``\r\n``
        or (in a text without ``\n``) ``\r`` end lines.
    text : str, keyword-only
        The report as a ``str`` (pasted from a PR description), instead of
        ``src``.

    Returns
    -------
    pandas.DataFrame
        One row per printed cell (geomean rows included):

        ==========  =======  =====================================================
        format      str      ``v2-text``, ``v2-csv``, ``v1-text`` or ``v1-csv``
        table       int64    0-based table number in the report
        row         str      row label (``Sum/size=1KiB-2``, ``geomean``, ``[Geo mean]``)
        column      str      column label (file/label, ``old``/``new`` in v1,
                             multi-key columns joined by spaces)
        unit        str      v2 tidied unit (``sec/op``, ``B/s``, ``B/op``…)
        center      float64  median (v2) or mean (v1) in ``unit``; NaN if absent
        range       str      the ± text (``31%``, ``∞``, ``?``); None if absent
        range_pct   float64  the ± as a number (NaN for ``∞``/``?``/absent)
        delta       str      ``-35.26%``, ``~``, ``?``; None in baseline columns
        delta_pct   float64  delta in percent (NaN for ``~``/``?``/absent)
        significant object   True/False when a delta is shown, else None
        p           float64  p-value from the note (None if not printed)
        n1, n2      Int64    sample sizes from ``n=8`` / ``n=7+8``
        note        str      the parenthesised note (``p=0.442 n=8``, ``all equal``)
        is_geomean  bool     the geomean row
        warnings    object   list of footnote texts attached to the cell (v2 text)
        <config>    str      configuration in force (``goos``, ``pkg``, …)
        ==========  =======  =====================================================

    Raises
    ------
    gobench.errors.GobenchError
        A path that is not a regular file (``/dev/zero``, a FIFO), or input past
        :data:`gobench.read.sources.MAX_INPUT_BYTES` (read no further).
    OSError
        A path that cannot be read (a missing one: the message says how to
        pass text).
    TypeError
        Both or neither of ``src`` and ``text`` are given, or ``src`` is of
        another kind.
    gobench.errors.BenchstatFormatError
        Text that is not a benchstat report, a table that cannot be parsed, a
        number beyond float64 or a sample count beyond int64, a stray ``\r`` in a
        CSV report, or a report with no cell; ``err.file`` and ``err.line`` say
        where (the line of the offending row, or of its table).
    """
    text, name = _report_text(source_or_text(src, text))
    text = _plain_line_ends(text)
    try:
        fmt = _detect(text)
    except BenchstatFormatError as e:
        raise BenchstatFormatError(e.msg, name) from None
    parser = {"v2-text": _parse_v2_text, "v2-csv": _parse_v2_csv, "v1-text": _parse_v1_text,
              "v1-csv": _parse_v1_csv}[fmt]
    pos = [None]
    try:
        recs = parser(text, pos)
    except BenchstatFormatError as e:
        raise BenchstatFormatError(e.msg, name, pos[0]) from None
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as e:
        raise BenchstatFormatError(f"cannot parse {fmt} report: {e}", name, pos[0]) from None
    if not recs:
        raise BenchstatFormatError(f"no cell could be read from this {fmt} report", name)
    df = pd.DataFrame.from_records(recs, columns=None)
    df["n1"] = pd.array(df["n1"], dtype="Int64")
    df["n2"] = pd.array(df["n2"], dtype="Int64")
    df["p"] = df["p"].astype(float)
    df["table"] = df["table"].astype(np.int64)
    df["is_geomean"] = df["is_geomean"].astype(bool)
    return df
