"""Read goroutine dumps and goroutine profiles into one row per goroutine (or stack).

Text tracebacks (``goroutine?debug=2``, ``runtime.Stack(buf, true)``, panics,
``SIGQUIT`` dumps, Go 1.17 .. 1.27 header forms) are parsed here; the
``debug=1`` text and proto forms of the ``goroutine`` and ``goroutineleak``
profiles are read with :func:`pprof_parse.read_profile` and mapped onto the
same schema (without ids, states or wait times, which those forms do not carry).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from pprof_parse.errors import OptionError, RuntimeFormatError
from pprof_parse.reader import read_profile
from pprof_parse.runtime.inputs import decode_text, load_source, strip_bom, warn_unparsed

__all__ = [
    "read_goroutines",
    "goroutines_from_profile",
    "goroutine_frames",
    "group_goroutines",
    "infer_state",
    "SYSTEM_WAIT_REASONS",
]

# runtime/traceback.go goroutineheader; Go 1.21+ adds gp=/m=/mp= at GOTRACEBACK>=system,
# Go 1.27 appends " {k: v, ...}" labels after the bracket.
# Numbers are ASCII (re.ASCII); ids, minutes and parents are checked to fit int64 where they
# are converted (a goroutine whose header does not fit is kept as unparsed text); frame line
# numbers longer than 18 digits and elided counts longer than 9 make the line unparsed.
_HDR_RE = re.compile(
    r"^goroutine (\d+)(?: gp=0x[0-9a-f]+ m=(?:\d+|nil)(?: mp=0x[0-9a-f]+)?)? \[([^\]\n]*)\](?: \{(.*)\})?:[ \t]*$",
    re.M | re.ASCII,
)
_BRACKET_RE = re.compile(
    r"^(?P<state>.*?)(?P<flags>(?: \((?:leaked|scan|durable)\))*)"
    r"(?:, (?P<minutes>\d+) minutes)?(?P<locked>, locked to thread)?(?:, synctest bubble (?P<bubble>\d+))?$",
    re.ASCII,
)
# function line "pkg.f(args)" followed by "\tfile:line[ +0xoff][ fp= sp= pc=]"; args never hold parens
_FRAME_RE = re.compile(
    r"^(?!created by )([^\t\n][^\n]*)\([^()\n]*\)\n\t([^\n]*?):(\d{1,18})(?: \+0x[0-9a-f]+)?(?: fp=[^\n]*)?$",
    re.M | re.ASCII,
)
_CREATED_RE = re.compile(r"^created by ([^\n]+?)(?: in goroutine (\d+))?\n\t([^\n]*?):(\d+)(?: [^\n]*)?$",
                         re.M | re.ASCII)
_ELIDED_RE = re.compile(r"^\.\.\.(\d{1,9}|additional) frames elided\.\.\.$", re.M | re.ASCII)
# the lenient path's single lines: a frame's file line, function line (no blank in the name, so
# that interleaved log lines are not taken for one), "created by" line
_FILE_LINE_RE = re.compile(r"^\t([^\n]*?):(\d{1,18})(?: \+0x[0-9a-f]+)?(?: fp=[^\n]*)?$", re.ASCII)
_FUNC_LINE_RE = re.compile(r"^(?!created by )(\S+)\([^()\n]*\)$", re.ASCII)
_CREATED_LINE_RE = re.compile(r"^created by (\S+?)(?: in goroutine (\d+))?$", re.ASCII)
_PARENT_RE = re.compile(r"^created by [^\n]*? in goroutine (\d+)$", re.M | re.ASCII)
_ANCESTOR = "\n[originating from goroutine "
_UNAVAILABLE = "\tgoroutine running on other thread; stack unavailable"
_LABEL_RE = re.compile(r'("(?:[^"\\]|\\.)*"|[^:,\s]+): ("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)')

#: Wait reasons of runtime-internal goroutines (``runtime/runtime2.go`` waitReasonStrings).
SYSTEM_WAIT_REASONS = frozenset({
    "GC assist marking", "GC assist wait", "GC sweep wait", "GC scavenge wait", "GC worker (idle)",
    "GC worker (active)", "garbage collection", "garbage collection scan", "GC mark termination",
    "GC weak to strong wait", "force gc (idle)", "finalizer wait", "cleanup wait",
    "GOMAXPROCS updater (idle)", "stopping the world", "flushing proc caches", "wait for GC cycle",
    "dumping heap", "panicwait", "debug call", "trace reader (blocked)", "trace goroutine status",
    "trace proc status", "page trace flush", "idle",
})

# leaf-most function -> wait reason, for the proto form (runtime.gopark callers) and debug=1
_STATE_BY_FUNC = {
    "runtime.chansend": "chan send", "runtime.chansend1": "chan send",
    "runtime.chanrecv": "chan receive", "runtime.chanrecv1": "chan receive", "runtime.chanrecv2": "chan receive",
    "runtime.selectgo": "select", "runtime.block": "select (no cases)",
    "sync.runtime_SemacquireWaitGroup": "sync.WaitGroup.Wait", "sync.(*WaitGroup).Wait": "sync.WaitGroup.Wait",
    "sync.runtime_SemacquireMutex": "sync.Mutex.Lock", "internal/sync.runtime_SemacquireMutex": "sync.Mutex.Lock",
    "internal/sync.(*Mutex).lockSlow": "sync.Mutex.Lock", "sync.(*Mutex).Lock": "sync.Mutex.Lock",
    "sync.runtime_SemacquireRWMutexR": "sync.RWMutex.RLock", "sync.(*RWMutex).RLock": "sync.RWMutex.RLock",
    "sync.runtime_SemacquireRWMutex": "sync.RWMutex.Lock", "sync.(*RWMutex).Lock": "sync.RWMutex.Lock",
    "sync.runtime_notifyListWait": "sync.Cond.Wait", "sync.(*Cond).Wait": "sync.Cond.Wait",
    "time.Sleep": "sleep", "runtime.timeSleep": "sleep",
    "internal/poll.runtime_pollWait": "IO wait", "runtime.netpollblock": "IO wait",
    "runtime.gcBgMarkWorker": "GC worker (idle)", "runtime.bgsweep": "GC sweep wait",
    "runtime.bgscavenge": "GC scavenge wait", "runtime.forcegchelper": "force gc (idle)",
    "runtime.runfinq": "finalizer wait", "runtime.runCleanups": "cleanup wait",
    "syscall.Syscall": "syscall", "syscall.Syscall6": "syscall", "syscall.RawSyscall6": "syscall",
    "internal/runtime/syscall.Syscall6": "syscall",
    "runtime.goroutineProfileWithLabels": "running", "runtime/pprof.writeRuntimeProfile": "running",
    "runtime.Stack": "running",
}
_LIB_PREFIXES = ("runtime.", "sync.", "internal/", "runtime/internal/")


def infer_state(functions) -> str | None:
    """Wait reason implied by a leaf-first sequence of function names, or None.

    The proto and ``debug=1`` forms carry no goroutine state; the runtime
    function that parked the goroutine (``runtime.chansend``, ``runtime.selectgo``,
    ``sync.(*WaitGroup).Wait`` ...) tells it, as in ``runtime.gopark``'s callers.
    """
    for f in functions:
        s = _STATE_BY_FUNC.get(f)
        if s is not None:
            return s
    return None


def _parse_labels(s: str) -> dict:
    out = {}
    for k, v in _LABEL_RE.findall(s):
        out[_unquote(k)] = _unquote(v)
    return out


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        try:
            return json.loads(s)
        except ValueError:
            return s[1:-1]
    return s


def _parse_bracket(b: str):
    # -> (state, leaked, minutes, locked, labels-inside-bracket)
    labels = None
    i = b.find(" labels:")  # Go 1.26 GODEBUG=tracebacklabels=1 early form: [running labels:{"k": "v"}]
    if i >= 0:
        labels = _parse_labels(b[i + 8:].strip().strip("{}"))
        b = b[:i]
    m = _BRACKET_RE.match(b)
    if m is None:
        return None
    minutes = _id(m["minutes"]) if m["minutes"] else None
    if minutes == -1:  # more minutes than an int64 holds: not the runtime's
        return None
    return (m["state"], "(leaked)" in m["flags"], minutes, m["locked"] is not None, labels)


class _Interner:
    """Shares frame and stack tuples between goroutines with the same stack."""

    def __init__(self):
        self.frames: dict = {}
        self.stacks: dict = {}
        self.sigs: dict = {}

    def stack(self, raw: list) -> tuple:
        # raw: list of (func, file, line_str); returns (frames, functions, top, entry, stack id)
        fr = self.frames
        frames = tuple([fr.get(t) or fr.setdefault(t, (t[0], t[1], int(t[2]))) for t in raw])
        hit = self.stacks.get(frames)
        if hit is None:
            funcs = tuple(f[0] for f in frames)
            if funcs and funcs[-1] == "runtime.goexit":
                frames, funcs = frames[:-1], funcs[:-1]
            top = next((f for f in funcs if not f.startswith(_LIB_PREFIXES)), funcs[0] if funcs else "")
            # the entry is the goroutine's start function; the main goroutine's is main.main
            # (proto and GOTRACEBACK=system stacks show runtime.main below it)
            entry = funcs[-2] if len(funcs) > 1 and funcs[-1] == "runtime.main" else (funcs[-1] if funcs else "")
            hit = (frames, funcs, top, entry, len(self.stacks))
            self.stacks[frames] = hit
        return hit

    def signature(self, key) -> int:
        return self.sigs.setdefault(key, len(self.sigs))


_COLUMNS = {
    "id": "Int64", "count": "int64", "state": "str", "leaked": "bool", "wait_minutes": "Int64",
    "locked": "bool", "labels": "object", "created_by": "str", "parent_id": "Int64",
    "top_function": "str", "entry_function": "str", "stack": "object", "frames": "object",
    "elided": "int64", "system": "bool", "signature": "int64", "line": "Int64",
}


def _is_system(state: str | None, entry: str, created_by: str | None) -> bool:
    # runtime.isSystemGoroutine: the goroutine's start function is in package runtime
    # (runtime.main and runtime.handleAsyncEvent excepted)
    if state in SYSTEM_WAIT_REASONS:
        return True
    if entry.startswith("runtime.") and entry not in ("runtime.main", "runtime.handleAsyncEvent"):
        return True
    return bool(created_by) and created_by.startswith("runtime.") and created_by != "runtime.main"


def _frame(cols: dict, name: str, fmt: str, unparsed: list, **attrs) -> pd.DataFrame:
    df = pd.DataFrame({k: pd.Series(v, dtype=_COLUMNS[k]) if _COLUMNS[k] != "object"
                       else pd.Series(v, dtype=object) for k, v in cols.items()})
    df.attrs.update({"source": name, "format": fmt, "unparsed": unparsed, **attrs})
    return df


_REST_RE = re.compile(
    r"^(?:gp=0x[0-9a-f]+ m=(?:\d+|nil)(?: mp=0x[0-9a-f]+)? )?\[([^\]\n]*)\](?: \{(.*)\})?:[ \t]*$", re.ASCII)
_REGISTER_RE = re.compile(r"^([a-z][a-z0-9]{1,5})\s+(0x[0-9a-f]{1,16})$", re.ASCII)


def _id(s: str) -> int:
    """A goroutine id, minute count or parent id: 1..18 ASCII digits (fits int64), else -1."""
    return int(s) if 0 < len(s) <= 18 and s.isascii() and s.isdigit() else -1


class _DumpParser:
    """State machine over blank-line separated goroutine blocks.

    Fast path: a block's ``\\tfile:line +0xoff`` lines identify its PCs, so the
    parsed stack is cached under that tuple and goroutines with an already seen
    stack cost one split and two dict lookups.  Anything irregular (no blank
    line between goroutines, foreign lines, ancestors) goes through the regex
    path, which reports lines it cannot place.
    """

    def __init__(self, name: str):
        self.name = name
        # one entry per goroutine: id, header index, stack index, parent id (-1: none), line
        self.r_id: list[int] = []
        self.r_hp: list[int] = []
        self.r_st: list[int] = []
        self.r_parent: list[int] = []
        self.r_line: list[int] = []
        self.hps: list[tuple] = []  # (state, leaked, minutes, locked, labels)
        self.sts: list[tuple] = []  # see _parse_body
        self.unparsed: list[tuple[int, str]] = []
        self.registers: dict = {}
        self.preamble: list[str] = []
        self.it = _Interner()
        self.rest_cache: dict = {}
        self.label_cache: dict = {}
        self.stack_cache: dict = {}

    # -- per block --------------------------------------------------------
    def block(self, block: str, line: int) -> None:
        if block.startswith("goroutine ") and self._fast(block, line):
            return
        m = _HDR_RE.search(block)
        if m is None:
            if not self.r_id:
                self.preamble.append(block)
            else:
                self._keep(block, line)
            return
        if m.start():
            head = block[: m.start()]
            if not self.r_id:
                self.preamble.append(head.rstrip("\n"))
            else:
                self._keep(head, line)
            line += head.count("\n")
            block = block[m.start():]
        self._slow(block, line)

    def _header(self, rest: str) -> int | None:
        hp = self.rest_cache.get(rest)
        if hp is None:
            m = _REST_RE.match(rest)
            if m is None:
                return None
            br = _parse_bracket(m[1])
            if br is None:
                return None
            state, leaked, minutes, locked, blabels = br
            if m[2] is not None:
                labels = self.label_cache.get(m[2])
                if labels is None:
                    labels = self.label_cache[m[2]] = _parse_labels(m[2])
            else:
                labels = blabels if blabels is not None else {}
            self.hps.append((state, leaked, minutes, locked, labels))
            hp = len(self.hps) - 1
            if not rest.startswith("gp="):
                self.rest_cache[rest] = hp
        return hp

    def _fast(self, block: str, line: int) -> bool:
        lines = block.split("\n")
        h = lines[0]
        sp = h.find(" ", 10)
        gid = _id(h[10:sp])
        if sp < 0 or gid < 0:
            return False
        hp = self._header(h[sp + 1:])
        if hp is None:
            return False
        # the file lines identify the PCs; the line count guards against a stray odd line
        key = (len(lines), *lines[2::2])
        st = self.stack_cache.get(key)
        if st is None:
            body = "\n".join(lines[1:])
            parsed = self._parse_body(body)
            if parsed is None:  # irregular: let the slow path report what it cannot place
                return False
            st = self.stack_cache[key] = self._add_stack(parsed)
        cidx = self.sts[st][5]
        parent = -1
        if cidx is not None:
            p = lines[cidx].rpartition(" in goroutine ")[2]
            if p.isascii() and p.isdigit():
                parent = _id(p)
        self.r_id.append(gid)
        self.r_hp.append(hp)
        self.r_st.append(st)
        self.r_parent.append(parent)
        self.r_line.append(line)
        return True

    def _add_stack(self, parsed: tuple) -> int:
        self.sts.append(parsed)
        return len(self.sts) - 1

    def _parse_body(self, body: str):
        """Regex parse of one goroutine's body -> cached stack tuple, or None if not fully understood."""
        if _ANCESTOR in body or _UNAVAILABLE in body:
            return None
        raw = _FRAME_RE.findall(body)
        frames, funcs, top, entry, sid = self.it.stack(raw)
        used = 2 * len(raw)
        created_by, created_idx = None, None
        cm = _CREATED_RE.search(body)
        if cm is not None:
            if cm[2] is not None and _id(cm[2]) < 0:
                return None  # a parent id no int64 holds: the lenient path reports the line
            created_by = cm[1]
            created_idx = body.count("\n", 0, cm.start()) + 1  # index in block lines
            used += 2
            if not entry:
                entry = top = created_by
        elided = 0
        if "frames elided..." in body:
            for e in _ELIDED_RE.findall(body):
                elided += -1 if e == "additional" else int(e)
                used += 1
        nlines = body.count("\n") + 1 if body else 0
        if used != nlines:
            return None
        return (frames, funcs, top, entry, elided, created_idx, created_by,
                _is_system(None, entry, created_by), sid)

    def columns(self) -> dict:
        """Materialise the per-goroutine columns by indexing the unique headers and stacks."""
        hp_i = np.asarray(self.r_hp, dtype=np.intp)
        st_i = np.asarray(self.r_st, dtype=np.intp)
        n = len(hp_i)

        def obj(values) -> np.ndarray:
            a = np.empty(len(values), dtype=object)
            for k, v in enumerate(values):
                a[k] = v
            return a

        H, S = self.hps, self.sts
        state = obj([h[0] for h in H])[hp_i]
        minutes = np.array([h[2] if h[2] is not None else 0 for h in H], dtype=np.int64)
        no_minutes = np.array([h[2] is None for h in H], dtype=bool)
        parent = np.asarray(self.r_parent, dtype=np.int64)
        sys_state = np.array([h[0] in SYSTEM_WAIT_REASONS for h in H], dtype=bool)
        # signature: same state, same frames, same creator
        state_code = {st: k for k, st in enumerate(dict.fromkeys(h[0] for h in H))}
        hcode = np.array([state_code[h[0]] for h in H], dtype=np.int64)
        scode = np.array([self.it.signature((x[8], x[6])) for x in S], dtype=np.int64)
        _, sig = np.unique(hcode[hp_i] * (len(self.it.sigs) + 1) + scode[st_i], return_inverse=True)
        return {
            "id": np.asarray(self.r_id, dtype=np.int64),
            "count": np.ones(n, dtype=np.int64),
            "state": state,
            "leaked": np.array([h[1] for h in H], dtype=bool)[hp_i],
            "wait_minutes": pd.arrays.IntegerArray(minutes[hp_i], no_minutes[hp_i]),
            "locked": np.array([h[3] for h in H], dtype=bool)[hp_i],
            "labels": obj([h[4] for h in H])[hp_i],
            "created_by": obj([x[6] for x in S])[st_i],
            "parent_id": pd.arrays.IntegerArray(parent, parent < 0),
            "top_function": obj([x[2] for x in S])[st_i],
            "entry_function": obj([x[3] for x in S])[st_i],
            "stack": obj([x[1] for x in S])[st_i],
            "frames": obj([x[0] for x in S])[st_i],
            "elided": np.array([x[4] for x in S], dtype=np.int64)[st_i],
            "system": np.array([x[7] for x in S], dtype=bool)[st_i] | sys_state[hp_i],
            "signature": sig.astype(np.int64).reshape(-1),
            "line": pd.arrays.IntegerArray(np.asarray(self.r_line, dtype=np.int64), np.zeros(n, dtype=bool)),
        }

    def _slow(self, chunk: str, line: int) -> None:
        """Regex path: one or more goroutines not separated by blank lines, plus stray lines."""
        headers = list(_HDR_RE.finditer(chunk))
        pos = 0
        for i, h in enumerate(headers):
            line += chunk.count("\n", pos, h.start())
            pos = h.start()
            end = headers[i + 1].start() if i + 1 < len(headers) else len(chunk)
            body = chunk[h.end() + 1: end].rstrip("\n")
            gid = _id(h[1])
            hp = self._header(chunk[h.start(): h.end()].split(" ", 2)[2]) if gid >= 0 else None
            if hp is None:  # a number no int64 holds (id, minutes): not the runtime's; keep the text
                self._keep(chunk[h.start(): end].rstrip("\n"), line, registers=False)
                continue
            anc = body.find(_ANCESTOR)
            if anc >= 0:  # GODEBUG=tracebackancestors: the ancestors' stacks follow; keep only this one
                body = body[:anc]
            st = self._parse_body(body.replace("\n" + _UNAVAILABLE, "").replace(_UNAVAILABLE, ""))
            if st is None:
                st = self._lenient(body, line + 1)
            pm = _PARENT_RE.search(body)
            self.r_id.append(gid)
            self.r_hp.append(hp)
            self.r_st.append(self._add_stack(st))
            self.r_parent.append(_id(pm[1]) if pm is not None else -1)
            self.r_line.append(line)

    def _lenient(self, body: str, first_line: int):
        """Stack from the lines that parse; the others go to ``unparsed``.

        A function line waits for the next ``\\tfile:line`` line: output
        interleaved between the two (another thread's log line) is skipped and
        reported, and the frame is kept.  A function line that never gets its
        file line is reported too.
        """
        lines = body.split("\n")
        raw, created_by, elided = [], None, 0
        pending = None  # (index, kind, name): a function or "created by" line waiting for its file line
        for k, ln in enumerate(lines):
            if ln == _UNAVAILABLE or not ln.strip():
                continue
            fm = _FILE_LINE_RE.match(ln)
            if fm is not None:
                if pending is None:
                    self.unparsed.append((first_line + k, ln))
                elif pending[1] == "func":
                    raw.append((pending[2], fm[1], fm[2]))
                else:
                    created_by = pending[2]
                pending = None
                continue
            m = _ELIDED_RE.match(ln)
            if m:
                elided += -1 if m[1] == "additional" else int(m[1])
                continue
            m = _FUNC_LINE_RE.match(ln)
            kind = "func"
            if m is None:
                m = _CREATED_LINE_RE.match(ln)
                kind = "created"
                if m is not None and m[2] is not None and _id(m[2]) < 0:
                    m = None  # a parent id no int64 holds
            if m is None:  # foreign output; a pending function keeps waiting for its file line
                self.unparsed.append((first_line + k, ln))
                continue
            if pending is not None:
                self.unparsed.append((first_line + pending[0], lines[pending[0]]))
            pending = (k, kind, m[1])
        if pending is not None:
            self.unparsed.append((first_line + pending[0], lines[pending[0]]))
        frames, funcs, top, entry, sid = self.it.stack(raw)
        if not entry and created_by:
            entry = top = created_by
        return (frames, funcs, top, entry, elided, None, created_by, _is_system(None, entry, created_by), sid)

    def _keep(self, chunk: str, first_line: int, registers: bool = True) -> None:
        # text between goroutines: the signal register dump (SIGQUIT / crash) or foreign output
        for k, ln in enumerate(chunk.split("\n")):
            if ln.strip():
                m = _REGISTER_RE.match(ln) if registers else None
                if m:
                    self.registers[m[1]] = int(m[2], 16)
                else:
                    self.unparsed.append((first_line + k, ln))


def _parse_dump(text: str, name: str) -> pd.DataFrame:
    p = _DumpParser(name)
    line = 1
    for block in text.split("\n\n"):
        if block:
            p.block(block, line)
        line += block.count("\n") + 2
    if not p.r_id:
        raise RuntimeFormatError("no 'goroutine N [state]:' header: not a goroutine dump", source=name, line=1)
    cols = p.columns()
    df = pd.DataFrame({k: (pd.Series(v, dtype="str") if _COLUMNS[k] == "str" else v) for k, v in cols.items()})
    warn_unparsed(name, p.unparsed, "part of a goroutine traceback", "attrs['unparsed']")
    df.attrs.update({"source": name, "format": "debug=2", "unparsed": p.unparsed,
                     "preamble": "\n\n".join(p.preamble).strip(), "registers": p.registers})
    return df


def goroutines_from_profile(profile) -> pd.DataFrame:
    """Map a ``goroutine`` or ``goroutineleak`` :class:`pprof_parse.Profile` onto the goroutine schema.

    One row per sample (distinct stack and label set) with its ``count``;
    ``id``, ``wait_minutes``, ``parent_id``, ``created_by`` and ``line`` are NA,
    ``state`` is inferred from the stack (:func:`infer_state`; NA when the
    ``debug=1`` form hid the runtime frames), ``leaked`` is True for every row of
    a ``goroutineleak`` profile.
    """
    samples, frames = profile.samples, profile.frames
    types = [t[0] for t in profile.sample_types]
    vtype = "goroutineleak" if "goroutineleak" in types else (types[0] if types else "goroutine")
    label_keys = [c for c in samples.columns if c not in types]
    fr = frames.sort_values(["sample", "depth"], kind="stable")
    sid = fr["sample"].to_numpy()
    fn = fr["function"].astype(str).to_numpy()
    fl = fr["file"].astype(str).to_numpy()
    ln = fr["line"].to_numpy()
    bounds = np.flatnonzero(np.diff(sid)) + 1
    starts = np.concatenate([[0], bounds]) if len(sid) else np.array([], dtype=int)
    ends = np.concatenate([bounds, [len(sid)]]) if len(sid) else np.array([], dtype=int)
    by_sample = {int(sid[s]): (s, e) for s, e in zip(starts, ends)}
    it = _Interner()
    cols: dict[str, list] = {k: [] for k in _COLUMNS}
    counts = samples[vtype].to_numpy() if vtype in samples else np.ones(len(samples), dtype=np.int64)
    lab_rows = samples[label_keys].to_dict("records") if label_keys else [{}] * len(samples)
    for row, (idx, count) in enumerate(zip(samples.index, counts)):
        s, e = by_sample.get(int(idx), (0, 0))
        # debug=1 text keeps the PCs of the runtime frames it hides, without names: skip them
        raw = [(fn[j], fl[j], str(ln[j])) for j in range(s, e) if fn[j]]
        frames_t, funcs, top, entry, _ = it.stack(raw)
        state = infer_state(funcs)
        labels = {k: v for k, v in lab_rows[row].items() if isinstance(v, str)}
        cols["id"].append(None)
        cols["count"].append(int(count))
        cols["state"].append(state)
        cols["leaked"].append(vtype == "goroutineleak")
        cols["wait_minutes"].append(None)
        cols["locked"].append(False)
        cols["labels"].append(labels)
        cols["created_by"].append(None)
        cols["parent_id"].append(None)
        cols["top_function"].append(top)
        cols["entry_function"].append(entry)
        cols["stack"].append(funcs)
        cols["frames"].append(frames_t)
        cols["elided"].append(0)
        cols["system"].append(_is_system(state, entry, None))
        cols["signature"].append(it.signature((state, frames_t, None)))
        cols["line"].append(None)
    t = getattr(profile, "time", None)
    return _frame(cols, getattr(profile, "source", "<profile>"), "profile", [], sample_type=vtype,
                  time=t)


def read_goroutines(src=None, *, text: str | None = None) -> pd.DataFrame:
    """Read a goroutine dump or goroutine profile into one row per goroutine.

    Parameters
    ----------
    src : str, os.PathLike, bytes, file object or :class:`pprof_parse.Profile`
        Any of: ``/debug/pprof/goroutine?debug=2`` (= ``runtime.Stack(buf,
        true)``), a panic or ``SIGQUIT`` traceback (preamble, interleaved
        output and register dump tolerated), ``goroutine?debug=1`` or
        ``goroutineleak?debug=1`` text, or the proto (``debug=0``) form of those
        two profiles.  A ``str`` or path-like is a path; bytes or an open file
        (text or binary) the content (rules: :mod:`pprof_parse.runtime.inputs`).
    text : str, keyword-only
        The dump or ``debug=1`` text as a ``str``, instead of ``src``.

    Returns
    -------
    DataFrame
        One row per goroutine (text dumps) or per distinct stack and label set
        (profiles, see ``count``).  Columns:

        ============== ======= ====================================================
        id             Int64   goroutine id (NA for profiles)
        count          int64   goroutines in this row (1 for dumps)
        state          str     wait reason or status as printed (``chan send``,
                               ``select``, ``sync.Mutex.Lock``, ``running``...);
                               profiles: inferred from the stack (NA if unknown)
        leaked         bool    ``(leaked)`` flag (Go 1.27), or row of a
                               goroutineleak profile
        wait_minutes   Int64   ``, N minutes``: blocked at least N minutes (floor,
                               stamped by the GC; NA below 1 minute / not printed)
        locked         bool    ``, locked to thread``
        labels         object  dict of pprof labels (``{k: v}`` suffix, Go 1.27)
        created_by     str     function after ``created by`` (NA for profiles and
                               goroutines with none, e.g. main)
        parent_id      Int64   ``in goroutine N`` (Go 1.21+)
        top_function   str     leaf-most function outside ``runtime.``, ``sync.``
                               and ``internal/`` (the leaf if there is none)
        entry_function str     root function of the stack (the goroutine's start
                               function; ``runtime.goexit`` dropped)
        stack          object  tuple of function names, leaf first
        frames         object  tuple of ``(function, file, line)``, leaf first
        elided         int64   frames left out (``...N frames elided...``; -1 for
                               ``...additional frames elided...``)
        system         bool    runtime-internal goroutine (start function in
                               package runtime, or a runtime wait reason), as
                               ``runtime.isSystemGoroutine``
        signature      int64   bucket id: same state, frames and creator
        line           Int64   line of the header in the source (dumps only)
        ============== ======= ====================================================

        ``attrs``: ``source``, ``format`` (``debug=2``, ``debug=1`` or ``profile``),
        ``preamble`` (text before the first goroutine: ``panic: ...``,
        ``SIGQUIT: quit``, ``[signal ...]``, or any earlier output), ``registers``
        (dict of the signal register dump, name -> int), ``unparsed`` (list of
        ``(line, text)`` not understood after the first goroutine, e.g.
        ``exit status 2`` or interleaved output, and every line of a goroutine
        whose header holds a number no int64 holds; a ``PprofParseWarning`` says
        how many);
        for profiles ``sample_type`` (``goroutine`` or ``goroutineleak``) and ``time``.

    Raises
    ------
    RuntimeFormatError
        Text with no goroutine header, a profile that cannot be read, or a path
        that cannot be read (a missing one: the message says how to pass text).
    TypeError
        Both or neither of ``src`` and ``text`` are given.

    Notes
    -----
    Mirrors ``goroutineheader``/``traceback2``/``printFuncName`` in
    ``runtime/traceback.go``: the header is
    ``goroutine ID[ gp=.. m=..[ mp=..]] [STATE[ (leaked)][, N minutes][, locked
    to thread]][ {labels}]:``; each frame is ``func(args)`` then
    ``\\tfile:line +0xoff``; since Go 1.21 ``created by F in goroutine N`` and
    ``...N frames elided...`` (first and last 50 frames printed).

    Damage the text picks up on its way is undone: a byte order mark (UTF-8,
    or UTF-16 from Windows PowerShell's ``>``), ``\\r\\n`` or ``\\r`` line ends;
    a line of other output between a frame's function line and its file line
    (skipped and reported in ``unparsed``, the frame kept); a dump indented as
    a whole, or whose file lines lost their tab to spaces (pasted into an issue
    or a chat) -- the header's indentation is removed from the lines that
    carry it and a space-indented ``file:line`` line is a frame's, as
    panicparse reads them.  Numbers must fit the int64 columns: a goroutine
    whose id, minutes or parent id does not is kept as unparsed text, as is a
    frame whose line number has more than 18 digits.
    """
    if hasattr(src, "samples") and hasattr(src, "frames") and text is None:
        return goroutines_from_profile(src)
    data, name, mtime = load_source(src, text=text)
    data = strip_bom(data)
    head = data[:64].lstrip()
    if data[:2] == b"\x1f\x8b" or not _looks_text(data[:512]) or re.match(
            rb"(goroutine|goroutineleak) profile: total \d+", head):
        if data[:2] != b"\x1f\x8b" and _looks_text(data[:512]):  # debug=1 text: LF line ends
            data = decode_text(data, name).encode("utf-8")
        prof = _read_profile(data, name)
        df = goroutines_from_profile(prof)
        df.attrs["source"] = name
        df.attrs["format"] = "profile" if re.match(rb"\w+ profile: total", head) is None else "debug=1"
        if df.attrs.get("time") is None and mtime is not None:
            df.attrs["mtime"] = mtime
        return df
    df = _parse_dump(_reindent(decode_text(data, name)), name)
    if mtime is not None:
        df.attrs["mtime"] = mtime
    return df


_INDENTED_HDR_RE = re.compile(r"^([ \t]+)goroutine \d+ [^\n]*\]", re.M | re.ASCII)
# a frame's file line (or the "stack unavailable" line) whose tab became spaces
_SPACED_FILE_RE = re.compile(
    r"^ +(?=[^\s][^\n]*:\d+(?: \+0x[0-9a-f]+)?(?: fp=[^\n]*)?$|goroutine running on other thread)", re.M | re.ASCII)


def _reindent(text: str) -> str:
    """Undo what pasting into an issue or a chat does to a dump, as panicparse reads it.

    A dump indented as a whole (its first goroutine header starts with blanks)
    has that indentation removed from every line starting with it; then a
    frame's file line indented with spaces instead of the runtime's tab gets
    its tab back.  Lines and line numbers are unchanged.
    """
    if text[:1] in (" ", "\t") or "\n " in text or "\n\tgoroutine " in text:
        m = _INDENTED_HDR_RE.search(text)
        if m is not None:
            prefix = m[1]
            n = len(prefix)
            text = "\n".join(ln[n:] if ln.startswith(prefix) else ln for ln in text.split("\n"))
    if text[:1] == " " or "\n " in text:
        text = _SPACED_FILE_RE.sub("\t", text)
    return text


def _looks_text(b: bytes) -> bool:
    return b"\x00" not in b


def _read_profile(data: bytes, name: str):
    try:
        prof = read_profile(data)
    except Exception as e:
        raise RuntimeFormatError(f"not a goroutine profile: {e}", source=name) from e
    try:
        prof.source = name
    except Exception:  # frozen model
        pass
    return prof


def goroutine_frames(goroutines: pd.DataFrame) -> pd.DataFrame:
    """Long form of the ``frames`` column: one row per (goroutine row, frame).

    Returns
    -------
    DataFrame
        ``row`` (int64, index label of the goroutine row), ``depth`` (int64,
        0 = leaf), ``function`` and ``file`` (category), ``line`` (int64) and
        ``count`` (int64, goroutines of that row) -- ready for flame graphs.
    """
    fr = goroutines["frames"]
    lens = np.fromiter((len(f) for f in fr), dtype=np.int64, count=len(fr))
    flat = [x for f in fr for x in f]
    return pd.DataFrame({
        "row": np.repeat(goroutines.index.to_numpy(), lens),
        "depth": np.concatenate([np.arange(n) for n in lens]) if len(lens) else np.array([], dtype=np.int64),
        "function": pd.Categorical([x[0] for x in flat]),
        "file": pd.Categorical([x[1] for x in flat]),
        "line": np.array([x[2] for x in flat], dtype=np.int64),
        "count": np.repeat(goroutines["count"].to_numpy(), lens),
    })


def group_goroutines(goroutines: pd.DataFrame, *, similarity: str = "exact") -> pd.DataFrame:
    """Bucket goroutines with the same signature, like panicparse's ``Aggregate``.

    Parameters
    ----------
    goroutines : DataFrame
        From :func:`read_goroutines`.
    similarity : {"exact", "function"}
        ``exact``: same state (minutes ignored), same frames (function, file,
        line) and same creator -- panicparse ``ExactLines`` without arguments.
        ``function``: same state and function names only (line numbers may
        differ, e.g. two builds).

    Returns
    -------
    DataFrame
        One row per bucket, largest first: ``count`` (int64), ``ids`` (tuple of
        goroutine ids), ``state`` (str), ``wait_minutes_min``/``wait_minutes_max``
        (Int64), ``leaked`` (int64, goroutines flagged), ``top_function``,
        ``entry_function``, ``created_by`` (str), ``labels`` (dict, most common),
        ``stack``, ``frames`` (tuple), ``system`` (bool).
    """
    if similarity not in ("exact", "function"):
        raise OptionError(f"similarity must be 'exact' or 'function', not {similarity!r}")
    g = goroutines
    key = g["signature"] if similarity == "exact" else pd.Series(
        [hash((s, st)) for s, st in zip(g["state"].fillna(""), g["stack"])], index=g.index)
    rows = []
    for _, part in g.groupby(key.to_numpy(), sort=False):
        first = part.iloc[0]
        labels = Counter(tuple(sorted(d.items())) for d in part["labels"]).most_common(1)[0][0]
        rows.append({
            "count": int(part["count"].sum()),
            "ids": tuple(int(i) for i in part["id"].dropna()),
            "state": first["state"],
            "wait_minutes_min": part["wait_minutes"].min(),
            "wait_minutes_max": part["wait_minutes"].max(),
            "leaked": int(part.loc[part["leaked"], "count"].sum()),
            "top_function": first["top_function"], "entry_function": first["entry_function"],
            "created_by": first["created_by"], "labels": dict(labels),
            "stack": first["stack"], "frames": first["frames"], "system": bool(first["system"]),
        })
    out = pd.DataFrame(rows, columns=["count", "ids", "state", "wait_minutes_min", "wait_minutes_max", "leaked",
                                      "top_function", "entry_function", "created_by", "labels", "stack",
                                      "frames", "system"])
    out = out.astype({"wait_minutes_min": "Int64", "wait_minutes_max": "Int64"})
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
