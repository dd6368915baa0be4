"""IPython magics: ``%load_ext gopherlab``, then ``%pprof SOURCE [pprof flags]`` in a notebook.

``%pprof`` reads a profile from a file or from a Go service's ``net/http/pprof``
endpoint (``http://host:port/debug/pprof/profile?seconds=5``), shows pprof's
``-top`` table as a DataFrame and the flame graph of the same sample type, and
returns the :class:`~pprof_parse.Profile` (so ``p = %pprof heap.pb.gz`` keeps it).
Flags are ``gopherlab top``'s (pprof's, see :data:`pprof_parse.cli.USAGE`), parsed by
the same parser.
"""

from __future__ import annotations

import shlex
import sys
import urllib.parse
import urllib.request

from gopherlab_common.lazy import LazyModule

from pprof_parse.cli import USAGE, _parse, _UsageError
from pprof_parse.errors import PprofParseError
from pprof_parse.figures import call_tree, flame_figure
from pprof_parse.present.textreport import DEFAULT_EDGEFRACTION, DEFAULT_NODEFRACTION, select_top_nodes
from pprof_parse.read.source import DEFAULT_MAX_INFLATED_BYTES
from pprof_parse.reader import read_profile

display = LazyModule("IPython.display")

#: seconds to wait for a profile endpoint, on top of the ``?seconds=N`` it is asked to record for
URL_TIMEOUT = 30.0

PPROF_USAGE = USAGE.replace("usage: gopherlab top [flags] PROFILE",
                            "usage: %pprof SOURCE [flags]   (SOURCE: a profile file or an http(s):// URL)")


def load_ipython_extension(ipython) -> None:
    """Register the line magic ``%pprof`` in *ipython* (an ``InteractiveShell``); called by
    ``%load_ext gopherlab`` (and ``%load_ext gopherlab.magics``)."""
    ipython.register_magic_function(pprof_magic, magic_kind="line", magic_name="pprof")


def pprof_magic(line: str):
    """``%pprof SOURCE [flags]``: read a profile, display its top table and flame graph, return it.

    ``SOURCE`` is a path or an ``http://`` / ``https://`` URL (fetched with
    :func:`fetch_profile`: a timeout and read_profile's size limit). Flags as
    ``gopherlab top`` (``-sample_index=alloc_space``, ``-cum``, ``-lines``,
    ``-nodecount=20``, ...): the table is :func:`~pprof_parse.present.textreport.select_top_nodes`
    with pprof's ``-top`` defaults (``-nodefraction=0.005``, ``-edgefraction=0.001``),
    exact integers in the sample type's unit; the flame graph is
    :func:`pprof_parse.figures.flame_figure` of the same sample type and granularity.
    ``-h`` prints the usage. A bad flag, an unreadable profile or a failed fetch prints
    one ``%pprof: ...`` line on stderr and returns None (no traceback).
    """
    try:
        opts, sources = _parse(shlex.split(line))
    except (_UsageError, ValueError) as e:  # (shlex: an unclosed quote)
        if str(e) == "help":
            print(PPROF_USAGE)
        else:
            print(f"%pprof: {e}\n{PPROF_USAGE.splitlines()[0]}", file=sys.stderr)
        return None
    try:
        prof = load_source(sources[0])
        table = select_top_nodes(prof.data, opts.get("sample_index"), **top_options(opts)).table
        tree = call_tree(prof, opts.get("sample_index"), granularity=opts.get("granularity", "functions"),
                         noinlines=opts.get("noinlines", False))
    except (PprofParseError, OSError) as e:
        print(f"%pprof: {e}", file=sys.stderr)
        return None
    display.display(table)
    display.display(flame_figure(tree))
    return prof


def top_options(opts: dict) -> dict:
    """``select_top_nodes`` keywords from parsed ``gopherlab top`` flags (as ``top_main``: ``-trim=false``
    lifts ``-nodecount`` and both fractions)."""
    trim = opts.get("trim", True)
    return dict(
        cum=opts.get("sort") == "cum",
        granularity=opts.get("granularity", "functions"),
        noinlines=opts.get("noinlines", False),
        mean=opts.get("mean", False),
        nodecount=opts.get("nodecount", 0) if trim else 0,
        nodefraction=opts.get("nodefraction", DEFAULT_NODEFRACTION) if trim else 0.0,
        edgefraction=opts.get("edgefraction", DEFAULT_EDGEFRACTION) if trim else 0.0,
    )


def load_source(source: str):
    """A :class:`~pprof_parse.Profile` from a path or an ``http(s)://`` URL (:func:`fetch_profile`)."""
    if source.startswith(("http://", "https://")):
        return fetch_profile(source)
    return read_profile(source)


class _NamedStream:
    """A response body read_profile can read (bounded by its size limit), named by the URL."""

    def __init__(self, response, name: str):
        self._response, self.name = response, name

    def read(self, n: int = -1) -> bytes:
        return self._response.read(n)


def fetch_profile(url: str, *, timeout: float | None = None,
                  max_inflated_bytes: int | None = DEFAULT_MAX_INFLATED_BYTES):
    """GET a profile from ``url`` (e.g. ``http://localhost:6060/debug/pprof/heap``) and read it.

    The query passes through as written (``?seconds=N`` makes the service record
    for N seconds; the default timeout is N + :data:`URL_TIMEOUT` seconds). The body
    is read as :func:`pprof_parse.read_profile` reads a stream, refused past
    ``max_inflated_bytes`` (default 64 MiB). Returns a Profile whose ``source`` is the
    URL. Raises OSError (``urllib.error.URLError``/``HTTPError``, a timeout) and
    read_profile's errors.
    """
    if timeout is None:
        timeout = _recording_seconds(url) + URL_TIMEOUT
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return read_profile(_NamedStream(response, url), max_inflated_bytes=max_inflated_bytes)


def _recording_seconds(url: str) -> float:
    """The ``seconds`` query parameter of a pprof endpoint URL (0 when absent or not a number)."""
    query = urllib.parse.urlsplit(url).query
    values = urllib.parse.parse_qs(query).get("seconds", ["0"])
    try:
        return max(0.0, float(values[-1]))
    except ValueError:
        return 0.0
