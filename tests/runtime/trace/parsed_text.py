"""Our events rendered as ``go tool trace -d=parsed`` prints Go's (``Event.String`` in
``src/internal/trace/event.go``), so a test compares the two event for event."""

from __future__ import annotations

import math

import pandas as pd

NO_TASK = (1 << 64) - 1


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` for valid UTF-8 text."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t",
                        "\v": r"\v"}[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif c < 0x80:
            out.append(f"\\x{c:02x}")
        elif c <= 0xFFFF:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append('"')
    return "".join(out)


def _s(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _u64(v: int) -> int:
    return v & ((1 << 64) - 1)


def _rfc3339nano(ts: pd.Timestamp) -> str:
    frac = f"{ts.nanosecond + ts.microsecond * 1000:09d}".rstrip("0")
    return ts.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def render(trace) -> list[str]:
    """One string per event (without the final newline Println adds)."""
    ev = trace.events
    gens = trace.generations
    frames = {}

    def stack_text(sid):
        if sid not in frames:
            frames[sid] = "".join(f"\t{f} @ {pc:#x}\n\t\t{file}:{line}\n" for pc, f, file, line in trace.stack(sid))
        return frames[sid]

    from pprof_parse.runtime.trace import spec
    names = {spec.NAMES[t]: spec.ARG_NAMES[t] for t in range(128, spec.N_SPECS)}
    exp = {row: (a0, a1, a2) for row, a0, a1, a2 in zip(trace.experimental["event"], trace.experimental["id"],
                                                        trace.experimental["arg1"], trace.experimental["arg2"])}
    out = []
    cols = [ev[c].tolist() for c in ("m", "p", "g", "kind", "time", "type", "resource", "id", "from_state",
                                     "to_state", "reason", "transition_stack", "name", "value", "reclaimed",
                                     "task", "parent", "message", "stack", "gen")]
    for row, (m, p, g, kind, time, typ, res, rid, frm, to, reason, tstack, name, value, reclaimed, task, parent,
              message, stack, gen) in enumerate(zip(*cols)):
        s = f"M={m} P={p} G={g} {kind} Time={time}"
        if kind == "Metric":
            s += f" Name={go_quote(name)} Value=Value{{Uint64({_u64(value)})}}"
        elif kind == "Label":
            s += f" Label={go_quote(_s(name))} Resource=Goroutine({rid})"
        elif kind.startswith("Range"):
            scope = "None" if res == "none" else f"{'Goroutine' if res == 'goroutine' else 'Proc'}({rid})"
            s += f" Name={go_quote(name)} Scope={scope}"
            if kind == "RangeEnd":
                attrs = (f'"bytes swept"=Value{{Uint64({_u64(value)})}} "bytes reclaimed"=Value{{Uint64('
                         f'{_u64(reclaimed)})}}') if typ == "GCSweepEnd" else ""
                s += f" Attributes=[{attrs}]"
        elif kind in ("TaskBegin", "TaskEnd"):
            s += f" ID={task} Parent={_u64(parent)} Type={go_quote(_s(name))}"
        elif kind in ("RegionBegin", "RegionEnd"):
            s += f" Task={task} Type={go_quote(_s(name))}"
        elif kind == "Log":
            s += f" Task={task} Category={go_quote(_s(name))} Message={go_quote(_s(message))}"
        elif kind == "StateTransition":
            label = "GoID" if res == "goroutine" else "ProcID"
            s += f" {label}={rid} {frm}->{to} Reason={go_quote(_s(reason))}"
            if tstack or typ in ("GoCreate", "GoCreateBlocked"):
                s += "\nTransitionStack=\n" + stack_text(tstack)
        elif kind == "Experimental":
            args = ", ".join(f"{n}=Value{{Uint64({_u64(v)})}}" for n, v in zip(names[typ], exp[row]))
            s += f" Name={typ} Args=[{args}]"
        elif kind == "Sync":
            s += f" N={value}"
            if gen >= 0 and not pd.isna(gens.snapshot_time[gen]):
                row = gens.iloc[gen]
                s += f" Trace={row.snapshot_time} Mono={row.mono_ns} Wall={_rfc3339nano(row.wall)}"
        if stack or typ == "CPUSample":
            s += "\nStack=\n" + stack_text(stack)
        out.append(s)
    return out


def split_events(text: str) -> list[str]:
    """``-d=parsed`` text (Go's, or ``"".join(e + "\n" for e in render(t))``) as one chunk per event:
    the text from one ``M=`` line start to the next."""
    starts = [0] + [i + 1 for i in range(len(text) - 1) if text[i] == "\n" and text.startswith("M=", i + 1)]
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
