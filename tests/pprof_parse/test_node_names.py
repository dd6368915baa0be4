"""Report node names (pprof's ``NodeInfo.PrintableName``) and the tie-break ranks the top table
sorts by, computed column-wise: every case of the rule on hand-made rows, and the ranks give
``node_order``'s order on real profiles."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import pprof_parse
from pprof_parse.analyze.nodes import build_nodes, printable_names, sprint_keys
from pprof_parse.present.top import node_order
from pprof_parse.present.view_index import node_names

PROFILES = Path(__file__).resolve().parents[2] / "gopherlab" / "data" / "profiles"


def test_every_case_of_printable_name():
    rows = [  # Address, Name, File, Lineno, Columnno, Objfile -> name
        (0x4a2b, "main.f", "m.go", 12, 3, "", "0000000000004a2b main.f m.go:12:3"),
        (0, "main.f", "m.go", 12, 0, "", "main.f m.go:12"),
        (0, "main.f", "m.go", 0, 0, "", "main.f m.go"),
        (0, "main.f", "", 0, 0, "/bin/x", "main.f"),
        (0, "", "m.go", 0, 0, "/bin/x", "m.go"),
        (0, "", "", 0, 0, "/usr/lib/libc.so.6", "[libc.so.6]"),
        (0x10, "", "", 0, 0, "/usr/lib/", "0000000000000010 [lib]"),
        (0, "", "", 0, 0, "", "<unknown>"),
        (0, "", "m.go", 7, 0, "", "m.go:7"),
    ]
    info = pd.DataFrame(rows, columns=["Address", "Name", "File", "Lineno", "Columnno", "Objfile", "want"])
    info["Address"] = info["Address"].astype(np.uint64)
    assert printable_names(info) == info["want"].tolist()
    info["StartLine"] = 0
    assert sprint_keys(info.iloc[:1]) == ["{main.f  18987 m.go 0 12 3 }"]


def test_ranks_give_node_order():
    for name in ("cpu.pb.gz", "allocs.pb.gz", "goroutine.pb.gz"):
        prof = pprof_parse.read_profile(PROFILES / name)
        for granularity in ("functions", "files", "lines", "addresses"):
            nodes = build_nodes(prof.data, granularity)
            names, name_rank, sprint_rank = node_names(nodes)
            rng = np.random.default_rng(0)
            flat = rng.integers(0, 3, names.size)  # many ties
            cum = flat + rng.integers(0, 2, names.size)
            sprint = sprint_keys(nodes.info)
            for by_cum in (False, True):
                a, b = (-cum, -flat) if by_cum else (-flat, -cum)
                got = np.lexsort((sprint_rank, b, name_rank, a))
                np.testing.assert_array_equal(got, node_order(names, sprint, flat, cum, by_cum=by_cum))
