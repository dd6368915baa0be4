"""``Unit <unit> better=higher|lower`` metadata reaches the verdicts of the API and the report.

The committed benchdemo runs (a real ``go test -bench`` of examples/benchdemo)
get one metadata line in front, as a user adds one for a custom metric: it
must flip the direction for that unit only.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import gobench
from gobench.gate import regressions
from gopherlab.reports.bench import compare
from gopherlab.reports.bundled import sample_path


def _with_metadata(tmp_path, line: str):
    out = []
    for name in ("old", "new"):
        p = tmp_path / f"{name}.txt"
        p.write_text(line + "\n" + Path(sample_path(f"bench/{name}.txt")).read_text())
        out.append(str(p))
    return out


def test_better_metadata_flips_only_its_unit(tmp_path):
    old, new = (str(sample_path(f"bench/{n}.txt")) for n in ("old", "new"))
    _, plain = compare(old, new)
    _, flipped = compare(*_with_metadata(tmp_path, "Unit B/op better=higher"))
    key = ["row", "unit"]
    a, b = plain.set_index(key), flipped.set_index(key)
    bop = a.index.get_level_values("unit") == "B/op"
    assert (b.better[bop] == "higher").all() and (a.better[bop] == "lower").all()
    improved = a.verdict[bop] == "improvement"
    assert improved.any()  # Join allocates far less in the new run
    assert (b.verdict[bop][improved] == "regression").all()
    assert a.verdict[~bop].equals(b.verdict[~bop])


def test_benchstat_frame_carries_the_metadata(tmp_path):
    old, new = _with_metadata(tmp_path, "Unit allocs/op better=higher")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = gobench.benchstat({"old": old, "new": new})
    assert df.attrs["better"] == {"allocs/op": "higher"}
    rows = regressions(df, None, 0.0)
    assert set(rows.loc[rows.unit == "allocs/op", "better"]) == {"higher"}


def test_delta_figure_colours_by_the_metadata(tmp_path):
    from gobench.present.plots import delta_figure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = gobench.benchstat({"old": str(sample_path("bench/old.txt")), "new": str(sample_path("bench/new.txt"))})
        old, new = _with_metadata(tmp_path, "Unit B/op better=higher")
        flipped = gobench.benchstat({"old": old, "new": new})

    def counts(fig):
        return {t.name: len(t.x) for t in fig.data}

    a, b = counts(delta_figure(plain, "B/op")), counts(delta_figure(flipped, "B/op"))
    assert a.get("significant, better", 0) > 0 and b.get("significant, better", 0) == 0
    assert b.get("significant, worse", 0) == a["significant, better"]
