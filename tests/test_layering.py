"""pprof_parse's imports flow one way, read from the source (``ast``; nothing is imported).

The layers, bottom to top (a module may import its own layer and the ones listed for it):

* ``errors``, ``_threads`` (a thread pool helper), ``proto`` (the generated message and the
  wire codec) -- the floor;
* ``model`` -- ProfileData, its string table and sample grouping: nothing above it;
* ``read`` -- bytes to model: imports model (+ errors, proto, _threads);
* ``analyze`` -- imports model (+ errors, _threads): never read, present, the facade;
* ``present`` -- imports analyze and model (+ errors, proto, _threads);
* the facade: ``profile`` (Profile), ``compare`` (merge, diff, delta_table), ``reader``
  (read_profile) -- the stages below, and each other only upwards (compare and reader use
  profile; profile uses neither);
* ``runtime`` -- the runtime diagnostics beside the facade. Rule: it takes its inputs
  through ``read`` (and the wire codec of ``proto``, to write a trace's delay profiles) (sources, number checks, the MemStats trailer) and goroutine profiles
  through ``reader`` (read_profile, the facade's entry point); it does not reach into
  ``analyze``/``present`` or the facade's other modules, and nothing else in pprof_parse
  imports it (only the package's ``__init__``, which re-exports it);
* ``store`` -- many profiles in a Parquet dataset (ProfileStore): beside the facade, above it;
  it reads through ``read``/``reader`` and hands back Profile objects; nothing else in
  pprof_parse imports it (only the package's ``__init__``);
* ``cli`` (``gopherlab top``) and ``figures`` (the public home of the figures) on top.

No module imports the package itself (``pprof_parse/__init__``) or gobench/gopherlab.

No hidden imports either: the rule and its scanner are ``tests/test_body_imports.py``'s
(imports at the module top; heavy optional modules -- pandas, plotly, scipy... -- through
``gopherlab_common.lazy``; no import by name, no module ``__getattr__``), applied here to
pprof_parse, whose files wait in :data:`PENDING` while another change owns the fix.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from test_body_imports import _imported, hidden_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "pprof_parse"

#: layer -> the other layers it may import (its own layer is always allowed)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_threads": set(),
    "proto": {"errors"},
    "model": {"errors"},
    "read": {"model", "errors", "proto", "_threads"},
    "analyze": {"model", "errors", "_threads"},
    "present": {"analyze", "model", "errors", "proto", "_threads"},
    "profile": {"present", "analyze", "model", "errors"},
    "compare": {"profile", "present", "analyze", "model", "errors"},
    "reader": {"profile", "analyze", "read", "model", "errors"},
    "runtime": {"reader", "read", "model", "errors", "proto"},
    "store": {"reader", "compare", "profile", "present", "analyze", "read", "model", "errors", "proto"},
    "figures": {"present"},
    "cli": {"reader", "present", "errors"},
    "__init__": {"errors", "_threads", "proto", "model", "read", "analyze", "present", "profile", "compare",
                 "reader", "runtime", "store", "figures", "cli"},
}
#: never imported by pprof_parse (the packages above it)
FORBIDDEN_PACKAGES = {"gobench", "gopherlab"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def layer_of(module: str) -> str:
    """``pprof_parse.read.proto`` -> ``read``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Every import of one module's source that breaks the layering above, as ``module:line: what``."""
    me = layer_of(module)
    rel = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        for target in _imported(node, rel):
            top, where = target.split(".")[0], f"{module}:{node.lineno}"
            if top in FORBIDDEN_PACKAGES and not getattr(node, "level", 0):
                out.append(f"{where}: imports {target} (a package above pprof_parse)")
            if top != PACKAGE:
                continue
            other = layer_of(target)
            if target == PACKAGE and module != PACKAGE:
                out.append(f"{where}: imports the package itself ({PACKAGE}/__init__)")
            elif other != me and other not in ALLOWED.get(me, set()):
                out.append(f"{where}: layer {me!r} imports {target} (layer {other!r})")
    return out


#: pprof_parse files with a hidden import another change is removing: file -> what and who
PENDING: dict[str, str] = {}


def package_modules() -> list[Path]:
    return sorted((ROOT / PACKAGE).rglob("*.py"))


def test_every_module_has_a_layer():
    unknown = {layer_of(module_name(p)) for p in package_modules()} - set(ALLOWED)
    assert not unknown, f"new top-level module(s) {sorted(unknown)}: give them a layer in ALLOWED"


def test_imports_flow_one_way():
    found = []
    for path in package_modules():
        found += violations(module_name(path), path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert not found, "\n".join(found)


def test_no_hidden_imports():
    found = []
    for path in package_modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel not in PENDING:
            found += [f"{rel}: {what} ({detail})" for what, detail in hidden_imports(rel, path.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


def test_pending_files_still_need_it():
    for rel in PENDING:
        assert hidden_imports(rel, (ROOT / rel).read_text(encoding="utf-8")), f"{rel}: none left, drop it from PENDING"


def test_the_facade_is_above_the_stages():
    """The pipeline's own order, stated once more by name (a change to ALLOWED must keep it)."""
    below = {"model": set(), "read": {"model"}, "analyze": {"model"}, "present": {"model", "analyze"}}
    stages = set(below)
    for layer, allowed in below.items():
        assert ALLOWED[layer] & stages == allowed, layer
    for facade in ("profile", "compare", "reader"):
        assert not ALLOWED[facade] & {"runtime", "cli", "figures", "__init__"}
        assert all(facade not in ALLOWED[s] for s in stages)
    assert "runtime" not in set().union(*(v for k, v in ALLOWED.items() if k != "__init__"))


@pytest.mark.parametrize("module, source, expected", [
    ("pprof_parse.model.data", "from ..analyze.nodes import build_nodes\n", "layer 'model' imports pprof_parse.analyze.nodes"),
    ("pprof_parse.model.data", "from pprof_parse.profile import Profile\n", "layer 'model' imports pprof_parse.profile"),
    ("pprof_parse.read.proto", "from ..runtime.memstats import load_memstats\n", "layer 'read' imports pprof_parse.runtime"),
    ("pprof_parse.read.proto", "from .. import analyze\n", "layer 'read' imports pprof_parse.analyze"),
    ("pprof_parse.analyze.merge", "from ..present.top import top_table\n", "layer 'analyze' imports pprof_parse.present"),
    ("pprof_parse.analyze.merge", "from ..profile import Profile\n", "layer 'analyze' imports pprof_parse.profile"),
    ("pprof_parse.present.top", "from ..reader import read_profile\n", "layer 'present' imports pprof_parse.reader"),
    ("pprof_parse.profile", "from .runtime import read_gctrace\n", "layer 'profile' imports pprof_parse.runtime"),
    ("pprof_parse.profile", "from .compare import merge\n", "layer 'profile' imports pprof_parse.compare"),
    ("pprof_parse.runtime.gc", "from pprof_parse.present.top import top_table\n", "layer 'runtime' imports"),
    ("pprof_parse.runtime.gc", "import pprof_parse\n", "imports the package itself"),
    ("pprof_parse.present.top", "import gopherlab.reports\n", "a package above pprof_parse"),
])
def test_the_check_catches(module, source, expected):
    found = violations(module, source)
    assert any(expected in v for v in found), found


@pytest.mark.parametrize("module, source", [
    ("pprof_parse.reader", "from .analyze.prune import remove_uninteresting\nfrom .profile import Profile\n"),
    ("pprof_parse.compare", "from .profile import Profile\nfrom .present.top import top_table\n"),
    ("pprof_parse.runtime.goroutines", "from pprof_parse.reader import read_profile\n"),
    ("pprof_parse.read.legacy_text", "from . import legacy_maps\nfrom ..model.data import ProfileData\n"),
    ("pprof_parse.read.source", "try:\n    from isal import isal_zlib\nexcept ImportError:\n    import zlib\n"),
    ("pprof_parse", "from .runtime import *\nfrom .reader import read_profile\n"),
])
def test_the_check_allows(module, source):
    assert violations(module, source, is_package=module == PACKAGE) == []


def test_the_hidden_import_scanner_covers_pprof_parse():
    assert hidden_imports("pprof_parse/analyze/merge.py", "def f():\n    from ..present.top import top_table\n")
    assert hidden_imports("pprof_parse/present/flame.py", "def f():\n    import plotly.graph_objects as go\n")
    lazy = "from gopherlab_common.lazy import LazyModule\ngo = LazyModule('plotly.graph_objects')\n"
    assert hidden_imports("pprof_parse/present/flame.py", lazy) == []
