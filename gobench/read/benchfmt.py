"""The Go benchmark format: :func:`parse_inputs`, by one of two engines.

The format's rules are benchfmt's (x/perf ``benchfmt/reader.go``), written out
in :mod:`gobench.read.benchfmt_reference`: result lines, ``Unit`` metadata,
``key: value`` configuration, malformed lines as error records.  Numbers: an
iteration count must fit Go's ``int`` (int64) and a measurement a float64, or
the line is a :class:`~gobench.errors.BenchSyntaxError` record (``parsing
iteration count: value out of range``, ``parsing measurement: value out of
range``) and reading goes on; nothing wraps, and no length of digits raises.

Engines (``GOPHERLAB_ENGINE``, :mod:`gopherlab_common.engine`):

* ``reference``: every input is read line by line by the reference reader,
  :func:`gobench.read.benchfmt_reference.read_files`;
* ``fast`` (default): the vectorised scanner (:func:`gobench.read.fastscan.scan`)
  reads the simple result lines of every input, whatever its size (of a ``go test
  -json`` stream, the benchmark lines it carries, joined); every line it leaves
  (configuration and ``Unit`` lines, malformed result lines, result lines with a
  non-ASCII or control byte) is read by the reference reader itself,
  :class:`~gobench.read.benchfmt_reference.Reader`, and so is all of an input
  without ``Benchmark`` in it.  There is no second line reader: the fast
  engine's line reader *is* the reference one.  The results are gathered as
  arrays (:class:`_Builder`).

Both give equal :class:`Results` (the tests check it on the benchstat vectors,
the bundled data and hostile inputs).

Line ends and byte-order mark (a deliberate difference from benchfmt, for both
engines): ``\\n``, ``\\r\\n`` and a lone ``\\r`` all end a line (universal
newlines), so files with classic-Mac CR-only line ends read like their LF twins,
line numbers included.  benchfmt splits on ``\\n`` only (Go's
``bufio.ScanLines``, which drops one ``\\r`` before it): a CR-only file is one
long line to it and benchstat finds nothing in it, silently (or fails with
``token too long`` past 64 KiB).  A UTF-8 byte-order mark at the start of a text
is dropped (benchfmt would not see the first line).
"""
from __future__ import annotations

import re

import numpy as np

from gopherlab_common.engine import reference_engine

from ..errors import BenchSyntaxError
from ..units import tidy_unit
from .benchfmt_reference import FileLines, Reader, Result, Value, read_file_into, read_files
from .fastscan import ScanResult, scan
from .jsonstream import looks_like_test2json, test2json_lines
from .results import Results, UnitMetadata
from .sources import Input

__all__ = ["UnitMetadata", "Results", "parse_inputs"]


def parse_inputs(inputs: list[Input], *, decode_json: bool = True) -> Results:
    """Parse several inputs the way ``benchfmt.Files`` does.

    Parameters
    ----------
    inputs : list of Input
        Decoded texts with their path and label.
    decode_json : bool, default True
        Recognise ``go test -json`` streams and read the benchmark text they carry.
        benchstat itself does not (it silently finds nothing in such a file).

    Returns
    -------
    Results
        Error records (``Results.errors``) name the input by its path.  The
        engine (``GOPHERLAB_ENGINE``, see the module docstring) does not change it.

    Raises
    ------
    gopherlab_common.engine.EngineSettingError
        ``GOPHERLAB_ENGINE`` is neither ``fast``, ``reference`` nor empty.
    """
    inputs = [_plain_line_ends(inp) for inp in inputs]
    is_json = [decode_json and looks_like_test2json(inp.text) for inp in inputs]
    if reference_engine():
        return read_files([_file_lines(inp, js) for inp, js in zip(inputs, is_json)])
    b = _Builder()
    for i, (inp, js) in enumerate(zip(inputs, is_json)):
        b.read_text(i, _TextToScan(inp, _file_lines(inp, True) if js else None))
    return b.finish()


class _TextToScan:
    """An input as the fast engine reads it: UTF-8 ``data``, lines ending at ``\\n``.

    For a ``go test -json`` stream, ``data`` is the benchmark lines it carries
    (``stream``, as :func:`_file_lines` gives them) joined, and
    ``line_numbers[i]`` is the number of the event line *i* began in.
    """

    def __init__(self, inp: Input, stream: FileLines | None = None):
        self.input, self.stream = inp, stream
        self.line_numbers = None
        if stream is None:
            self.data = inp.utf8()
        else:
            self.data = "\n".join(line for line, _ in stream.lines).encode("utf-8", "surrogateescape")
            self.line_numbers = np.array([n for _, n in stream.lines] or [0], dtype=np.int64)

    def file_lines(self) -> FileLines:
        """The input as numbered lines for the line reader."""
        return self.stream if self.stream is not None else _file_lines(self.input, False)

    def line_number(self, lineno):
        """Line number(s) in the input of the 1-based line(s) *lineno* of ``data``."""
        return lineno if self.line_numbers is None else self.line_numbers[lineno - 1]


def _file_lines(inp: Input, is_json: bool) -> FileLines:
    """*inp* as numbered lines for the line reader: its text lines, or the benchmark
    lines a ``go test -json`` stream carries (with its undecodable events as errors)."""
    if is_json:
        lines, bad = test2json_lines(inp.text)
        errors = [BenchSyntaxError(inp.path, lineno, msg) for lineno, msg in bad]
        return FileLines(inp.path, inp.label, _split_lone_cr(lines), errors)
    lines = inp.text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return FileLines(inp.path, inp.label, list(zip(lines, range(1, len(lines) + 1))), [])


_BOM = b"\xef\xbb\xbf"
_LONE_CR = re.compile(rb"\r(?!\n)")


def _plain_line_ends(inp: Input) -> Input:
    """*inp* itself, or a copy without a leading UTF-8 BOM and with every lone ``\r``
    made a ``\n`` (see the module docstring).  Files without ``\r`` cost one byte
    search (no Python work per line)."""
    data = inp.utf8()
    bom = data[:3] == _BOM
    lone = data.find(b"\r") >= 0 and _LONE_CR.search(data) is not None
    if not (bom or lone):
        return inp
    data = data[3:] if bom else bytes(data)
    if lone:
        data = _LONE_CR.sub(b"\n", data)
    return Input(inp.path, inp.label, data=data)


def _split_lone_cr(lines):
    """Lines of a test2json stream with a lone ``\r`` in them split there (each piece
    keeps the line number of its event); a final ``\r`` is left to the reader."""
    out = []
    for line, lineno in lines:
        if "\r" in line[:-1]:
            body = line[:-1] if line.endswith("\r") else line
            out.extend((piece, lineno) for piece in body.split("\r"))
        else:
            out.append((line, lineno))
    return out


_RES_COLUMNS = ("file", "line", "name", "iters", "config", "shape")


class _Builder:
    """The fast engine's :class:`Results`, gathered as arrays, file after file.

    Results come in two forms, kept in input order: arrays from the scanner
    (:meth:`read_text`) and :class:`~.benchfmt_reference.Result` records of
    the line reader (:meth:`read_lines`), held as Python lists until the next
    array chunk (:meth:`_flush_records`).  A result's measurements are held as
    written, with its *shape* (the sequence of units as written); :meth:`finish`
    tidies them all at once.
    """

    def __init__(self):
        self.r = Results()
        self.reader = Reader()
        self.config_index: dict[tuple, int] = {}
        self.name_index: dict[str, int] = {}      # name -> id, in order of first appearance
        self.shape_index: dict[tuple, int] = {}   # units as written -> shape id, likewise
        self.record_columns = {c: [] for c in _RES_COLUMNS}
        self.record_values: list[float] = []
        self.chunks = {c: [] for c in _RES_COLUMNS}
        self.value_chunks: list[np.ndarray] = []

    def config_id(self, config: dict) -> int:
        """The number of the configuration *config* (numbered when first seen)."""
        return self.config_index.setdefault(tuple(config.items()), len(self.config_index))

    def shape_id(self, units: tuple) -> int:
        """The number of the sequence of units *units* (numbered when first seen)."""
        return self.shape_index.setdefault(units, len(self.shape_index))

    @property
    def errors(self) -> list:
        """The error records so far (:func:`~.benchfmt_reference.read_file_into` adds to them)."""
        return self.r.errors

    def read_lines(self, file_idx: int, f: FileLines) -> None:
        """Read every line of *f* with the line reader."""
        self.r.paths.append(f.path)
        self.r.labels.append(f.label)
        read_file_into(self, self.reader, file_idx, f)

    def add_result(self, file_idx: int, config_id: int, result: Result) -> None:
        """One result of the line reader, its measurements as written."""
        cols = self.record_columns
        cols["file"].append(file_idx)
        cols["line"].append(result.line)
        cols["name"].append(self.name_index.setdefault(result.name, len(self.name_index)))
        cols["iters"].append(result.iters)
        cols["config"].append(config_id)
        cols["shape"].append(self.shape_id(tuple(v.orig_unit or v.unit for v in result.values)))
        self.record_values.extend(v.value if v.orig_unit == "" else v.orig_value
                                  for v in result.values)

    def _flush_records(self) -> None:
        """Move the line reader's pending results into the array chunks."""
        if self.record_columns["file"]:
            for c in _RES_COLUMNS:
                self.chunks[c].append(np.array(self.record_columns[c], dtype=np.int64))
                self.record_columns[c] = []
            self.value_chunks.append(np.array(self.record_values, dtype=np.float64))
            self.record_values = []

    def read_text(self, file_idx: int, text: _TextToScan) -> None:
        """Read one input: the scanner reads its simple result lines and the line
        reader the lines it leaves (in order); the scanned results are then added
        with the configuration in force at each.  All of it goes to the line reader
        when there is no ``Benchmark`` in it."""
        sr = scan(text.data)
        if sr is None:
            self.read_lines(file_idx, text.file_lines())
            return
        self.r.paths.append(text.input.path)
        self.r.labels.append(text.input.label)
        if text.stream is not None:
            self.r.errors.extend(text.stream.errors)
        self.reader.start_file(text.input.path)
        empty_config = self.config_id(self.reader.config)
        change_line, change_config, read = self._read_left_lines(text, sr, empty_config)
        at = np.searchsorted(np.asarray(change_line), sr.res_line, side="right") - 1
        config_of_result = np.asarray(change_config, dtype=np.int64)[at]
        if read:
            self._add_in_line_order(file_idx, sr, config_of_result, text, read)
        else:
            self._add_scanned(file_idx, sr, config_of_result, text.line_number(sr.res_line))

    def _read_left_lines(self, text: _TextToScan, sr: ScanResult, config_id: int):
        """Read the lines the scanner did not with the line reader: ``(lines,
        configuration ids)`` of each change of configuration (lines of
        ``text.data``), starting with line 0 and the empty configuration, and the
        ``(line, configuration id, Result)`` of each result it read (a result line
        with a non-ASCII or control byte: rare)."""
        data = text.data
        line_start, line_end = sr.line_bounds
        scanned = np.zeros(len(line_start) + 1, dtype=bool)
        scanned[sr.res_line] = True
        left = np.flatnonzero(~scanned[1:] & (line_end > line_start)) + 1
        change_line, change_config, read = [0], [config_id], []
        for lineno in left.tolist():
            line = str(data[int(line_start[lineno - 1]):int(line_end[lineno - 1])], "utf-8",
                       "surrogateescape")                   # as Input.text decodes
            for record in self.reader.read_line(line, int(text.line_number(lineno))):
                if isinstance(record, Result):
                    read.append((lineno, change_config[-1], record))
                elif isinstance(record, BenchSyntaxError):
                    self.r.errors.append(record)
            if self.reader.config_changed:
                change_line.append(lineno)
                change_config.append(self.config_id(self.reader.config))
        return change_line, change_config, read

    def _add_in_line_order(self, file_idx: int, sr: ScanResult, config_of_result: np.ndarray,
                           text: _TextToScan, read: list) -> None:
        """The scanner's results and the line reader's (*read*) of one file, in line
        order, all as records (names and units are numbered in order of first
        appearance: the order they are added in)."""
        names = np.concatenate(sr.name_id).tolist()
        shapes = np.concatenate(sr.shape_of_line).tolist()
        iters = np.concatenate(sr.iters).tolist()
        values = np.concatenate(sr.values).tolist()
        first = 0
        for i, lineno in enumerate(sr.res_line.tolist()):
            units = sr.shapes[shapes[i]]
            written = tuple(map(Value, values[first:first + len(units)], units))
            first += len(units)
            result = Result(int(text.line_number(lineno)), sr.names[names[i]], iters[i], written)
            read.append((lineno, int(config_of_result[i]), result))
        for _, config_id, result in sorted(read, key=lambda x: x[0]):
            self.add_result(file_idx, config_id, result)

    def _add_scanned(self, file_idx: int, sr: ScanResult, config_of_result: np.ndarray,
                     line_of_result: np.ndarray) -> None:
        """Append the scanner's results (ids made global) after the pending records."""
        global_shape = np.array([self.shape_id(units) for units in sr.shapes], dtype=np.int64)
        global_name = np.array([self.name_index.setdefault(name, len(self.name_index))
                                for name in sr.names], dtype=np.int64)
        self._flush_records()
        chunks = self.chunks
        chunks["file"].append(np.full(len(sr.res_line), file_idx, dtype=np.int64))
        chunks["line"].append(line_of_result.astype(np.int64))
        chunks["name"].extend(global_name[x] for x in sr.name_id)   # the scan's arrays come in parts
        chunks["iters"].extend(sr.iters)
        chunks["config"].append(config_of_result)
        chunks["shape"].extend(global_shape[x] for x in sr.shape_of_line)
        self.value_chunks.extend(sr.values)

    def finish(self) -> Results:
        """The :class:`Results`: columns joined, units numbered, values tidied."""
        r = self.r
        self._flush_records()
        cols = {c: (np.concatenate(self.chunks[c]) if self.chunks[c]
                    else np.zeros(0, dtype=np.int64)) for c in _RES_COLUMNS}
        r.res_file, r.res_line, r.res_iters = cols["file"], cols["line"], cols["iters"]
        r.res_name_id, r.res_config = cols["name"], cols["config"]
        r.names = list(self.name_index)
        r.configs = list(self.config_index)
        r.units = dict(self.reader.units)
        shapes = list(self.shape_index)
        shape_of_result = cols["shape"]
        r.res_nvals = np.array([len(s) for s in shapes] or [0], dtype=np.int64)[shape_of_result]
        raw = np.concatenate(self.value_chunks) if self.value_chunks else np.zeros(0)
        written = {}                  # units as written, in order of first appearance
        unit_ids = [[written.setdefault(u, len(written)) for u in s] for s in shapes]
        written = list(written)
        r.ucode_unit = written + [tidy_unit(u)[0] for u in written]
        r.ucode_orig = [""] * len(written) + written
        factors = [tidy_unit(u)[1] for u in written]
        r.m_value, r.m_ucode = _tidy_values(raw, shape_of_result, r.res_nvals, unit_ids, factors)
        r.m_raw = raw
        return r


#: up to this many (shape, position) pairs :func:`_tidy_values` works per pair
#: (:func:`_tidy_per_shape`), beyond it on all values at once (:func:`_tidy_all_at_once`)
PER_SHAPE_MAX = 256


def _tidy_values(raw: np.ndarray, shape_of_result: np.ndarray, nvals: np.ndarray,
                 unit_ids: list[list[int]], factors: list[float]):
    """Tidied values and unit codes of the measurements (``Results.m_value``,
    ``Results.m_ucode``).

    Measurement *j* of result *i* holds ``raw[first_i + j]`` in the unit
    ``unit_ids[shape_of_result[i]][j]`` (``nvals[i]`` measurements each); a value
    is tidied (``value * factor``, benchunit's ``ns/op`` → ``sec/op``...) and coded
    ``unit + nu`` exactly where that changes it (``value * factor != value``, so
    also for NaN), else kept and coded ``unit``.

    Two ways to the same result: with few shapes (the usual case) one (shape,
    position) at a time, which makes no temporary as long as all the
    measurements; with many, all at once.  Fresh memory is what costs here: on
    B of benchmarks/bench_gobench.py (800k values, 4 shapes), in a fresh process,
    all at once took 0.10 s of CPU against 0.05 s per shape (cProfile, 2026-12-05,
    loaded machine).
    """
    if len(raw) == 0:
        return raw, np.zeros(0, dtype=np.int32)
    first = np.cumsum(nvals) - nvals                 # first measurement of each result
    if sum(map(len, unit_ids)) > PER_SHAPE_MAX:
        return _tidy_all_at_once(raw, shape_of_result, nvals, first, unit_ids, factors)
    return _tidy_per_shape(raw, shape_of_result, first, unit_ids, factors)


def _tidy_all_at_once(raw, shape_of_result, nvals, first, unit_ids, factors):
    """:func:`_tidy_values` with one array operation over all the measurements."""
    nu = len(factors)
    shape_start = np.zeros(len(unit_ids) + 1, dtype=np.int64)
    shape_start[1:] = np.cumsum([len(x) for x in unit_ids])
    flat_units = np.array([u for x in unit_ids for u in x], dtype=np.int64)
    unit = flat_units[np.repeat(shape_start[shape_of_result] - first, nvals) + np.arange(len(raw))]
    tidied = raw * np.asarray(factors)[unit]
    changed = tidied != raw
    return np.where(changed, tidied, raw), (unit + nu * changed).astype(np.int32)


def _tidy_per_shape(raw, shape_of_result, first, unit_ids, factors):
    """:func:`_tidy_values` one (shape, position) at a time: the measurements at
    position *j* of the results of one shape share a unit and a factor."""
    nu = len(factors)
    value = raw.copy()
    ucode = np.empty(len(raw), dtype=np.int32)
    has_nan = bool(np.isnan(raw).any())
    order = np.argsort(shape_of_result.astype(np.uint16), kind="stable")    # (a radix sort)
    bounds = np.cumsum(np.bincount(shape_of_result, minlength=len(unit_ids)))
    for shape, units in enumerate(unit_ids):
        first_of_shape = first[order[(bounds[shape - 1] if shape else 0):bounds[shape]]]
        for j, u in enumerate(units):
            at = first_of_shape + j
            if factors[u] == 1.0 and not has_nan:
                ucode[at] = u
                continue
            written = raw[at]
            tidied = written * factors[u]
            changed = tidied != written
            value[at] = np.where(changed, tidied, written)
            ucode[at] = u + nu * changed
    return value, ucode
