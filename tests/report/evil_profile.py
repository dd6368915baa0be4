"""A heap profile whose strings are HTML/script injections (for the report escaping tests)."""
from __future__ import annotations

import gzip
from pathlib import Path

from pprof_parse.proto import profile_pb2

EVIL_FUNC = '<img src=x onerror="window.__xss=1">'
EVIL_FILE = "<script>window.__xss=2</script>.go"
EVIL_PKG = "main.(*T)<svg onload=window.__xss=3>"
EVIL_LABEL = "</table><script>window.__xss=4</script>"
EVIL_STRINGS = [EVIL_FUNC, EVIL_FILE, EVIL_PKG, EVIL_LABEL]


def write_evil_profile(path: Path, *, scale: int = 1) -> Path:
    """Write a gzipped 4-type heap profile (alloc_objects, alloc_space, inuse_objects, inuse_space)
    with evil function, file and label strings; ``scale`` multiplies the values (for a base/new pair)."""
    p = profile_pb2.Profile()
    strings = [""]

    def s(x: str) -> int:
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    for t, u in (("alloc_objects", "count"), ("alloc_space", "bytes"), ("inuse_objects", "count"), ("inuse_space", "bytes")):
        vt = p.sample_type.add()
        vt.type, vt.unit = s(t), s(u)
    funcs = [("main.main", "main.go"), (EVIL_FUNC, EVIL_FILE), (EVIL_PKG, "pkg.go"), ("runtime.mallocgc", "malloc.go")]
    for i, (name, file) in enumerate(funcs, start=1):
        f = p.function.add()
        # a system name other than the name: pprof (and read_profile) simplify a C++-looking name
        # ("<...>" groups dropped) only when it equals its system name, so the hostile names reach
        # the report as they are
        f.id, f.name, f.system_name, f.filename = i, s(name), s(f"main.sym{i}"), s(file)
        loc = p.location.add()
        loc.id, loc.address = i, 0x1000 * i
        ln = loc.line.add()
        ln.function_id, ln.line = i, 10 * i
    for stack, v in (([4, 2, 1], 100), ([4, 3, 2, 1], 40), ([3, 1], 7), ([2, 1], 3)):
        smp = p.sample.add()
        smp.location_id.extend(stack)
        smp.value.extend([v * scale, v * 1024 * scale, v // 2, v * 512])
        lab = smp.label.add()
        lab.key, lab.str = s("handler"), s(EVIL_LABEL)
    p.period_type.type, p.period_type.unit = s("space"), s("bytes")
    p.period = 512 * 1024
    p.string_table.extend(strings)
    path.write_bytes(gzip.compress(p.SerializeToString()))
    return path
