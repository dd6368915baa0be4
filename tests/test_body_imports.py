"""No hidden imports in ``gobench``, ``gopherlab`` and ``gopherlab_common``.

The import graph is read from the tops of the modules (issue 14: imports flow one
way). A module imported inside a function hides an edge of that graph, so every
``import`` sits at a module's top, with two kinds of exceptions:

* an **optional heavy dependency** (pandas, plotly, IPython, the notebook machinery)
  goes through the one lazy-import mechanism, a
  :class:`gopherlab_common.lazy.LazyModule` bound at the module's top, and is imported
  on the first attribute access;
* where a lazy stand-in cannot work (a class statement needs the real base class), a
  function-body import of such a module, listed by file in :data:`BODY_IMPORTS` with
  the reason.

Importing by name (``importlib.import_module``, ``__import__``, ``importlib.resources
.files("a.package")``) is a hidden import too, and a module ``__getattr__`` that
imports on demand is a second lazy mechanism: both are refused. ``LazyModule`` names
only heavy optional modules, except in the ``gopherlab`` command's dispatch table
(:data:`LAZY_PROJECT_MODULES`), so that ``gopherlab benchstat`` loads no
``pprof_parse``.

The rule for ``pprof_parse`` is checked by ``tests/test_layering.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("gobench", "gopherlab", "gopherlab_common")

#: third-party packages that are heavy and needed by some paths only (figures, notebooks,
#: DataFrames, the Prometheus text reader): the only ones imported lazily
HEAVY_OPTIONAL = frozenset({"pandas", "plotly", "scipy", "IPython", "ipywidgets", "jinja2",
                            "nbformat", "nbconvert", "papermill", "jupyter_client", "prometheus_client",
                            "pyarrow", "duckdb", "dask", "distributed", "tqdm", "ruptures", "numba",
                            "anywidget", "traitlets"})

#: the function-body imports a lazy stand-in cannot replace: (file, module) -> why
BODY_IMPORTS = {
    ("gopherlab/reports/render.py", "plotly.io._base_renderers"):
        "NotebookRenderer is the base class of the offline renderer: a class statement needs "
        "the real class, and the module must not import plotly before the notebook is set up",
}

#: where LazyModule may name the project's own modules: (file) -> why
LAZY_PROJECT_MODULES = {
    "gopherlab/cli.py": "the sub-command table: a command imports only its own module",
    "gopherlab/__init__.py": "the %load_ext hook: importing gopherlab loads no pprof_parse or IPython",
    "pprof_parse/runtime/trace/order_fast.py": "the compiled event ordering: its kernel modules import numba, "
                                              "loaded only when a trace takes that path",
    "pprof_parse/runtime/trace/decode.py": "the compiled event decoding: its kernel module imports numba, "
                                           "loaded only when a generation takes that path",
    "pprof_parse/runtime/trace/delays_compiled.py": "the compiled delay-profile walk: its kernel module imports "
                                                    "numba, loaded only when a trace takes that path",
}

#: where a module imports by name: the lazy mechanism itself
IMPORT_BY_NAME = {"gopherlab_common/lazy.py"}

def _sources() -> list[tuple[str, str]]:
    out = []
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            out.append((path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8")))
    return out


def _module_name(rel: str) -> str:
    parts = rel[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, rel: str) -> list[str]:
    """Absolute names of the modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        pkg = _module_name(rel).split(".")
        if not rel.endswith("__init__.py"):
            pkg = pkg[:-1]
        pkg = pkg[:len(pkg) - (node.level - 1)]
        base = ".".join(pkg + ([base] if base else []))
    if node.module is None:  # from . import a, b: the submodules a and b
        return [f"{base}.{a.name}" for a in node.names]
    return [base]


def _is_heavy(module: str) -> bool:
    return module.split(".")[0] in HEAVY_OPTIONAL


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def hidden_imports(rel: str, source: str) -> list[tuple[str, str]]:
    """``(what, detail)`` for each hidden import in one module's *source* (path *rel*)."""
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if isinstance(child, ast.FunctionDef) and child.name == "__getattr__" and node is tree:
                    found.append(("module __getattr__", f"line {child.lineno}"))
                visit(child, True)
                continue
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
                for mod in _imported(child, rel):
                    if (rel, mod) not in BODY_IMPORTS or not _is_heavy(mod):
                        found.append((mod, f"function-body import, line {child.lineno}"))
            if isinstance(child, ast.Call):
                name = _call_name(child)
                arg = child.args[0] if child.args else None
                literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
                if name in ("import_module", "__import__") and rel not in IMPORT_BY_NAME:
                    found.append((name, f"import by name, line {child.lineno}"))
                elif name == "files" and literal is not None:
                    found.append((literal, f"resources.files by name, line {child.lineno}"))
                elif name == "LazyModule" and rel != "gopherlab_common/lazy.py":
                    if in_function:
                        found.append((str(literal), f"LazyModule in a function body, line {child.lineno}"))
                    elif literal is None or not (_is_heavy(literal) or rel in LAZY_PROJECT_MODULES):
                        found.append((str(literal), f"LazyModule of a module that is not heavy and optional, "
                                                    f"line {child.lineno}"))
            visit(child, in_function)

    tree = ast.parse(source, filename=rel)
    visit(tree, False)
    return found


def test_no_hidden_imports():
    bad = [f"{rel}: {what} ({detail})" for rel, src in _sources() for what, detail in hidden_imports(rel, src)]
    assert bad == [], "\n".join(bad)


def test_exceptions_are_heavy_optional_modules_still_imported_there():
    """Every allowed body import is of a heavy optional module and is still made where listed."""
    sources = dict(_sources())
    for rel, mod in BODY_IMPORTS:
        assert _is_heavy(mod), mod
        assert f"import {mod.rsplit('.', 1)[-1]}" in sources[rel] or f"from {mod} import" in sources[rel], (rel, mod)
    for rel in [*LAZY_PROJECT_MODULES, *IMPORT_BY_NAME]:  # pprof_parse's files are test_layering's
        assert rel in sources or (rel.startswith("pprof_parse/") and (REPO / rel).is_file()), rel


@pytest.mark.parametrize("source, want", [
    ("def f():\n    import gobench.units\n", "gobench.units"),
    ("def f():\n    from .units import scale\n", "gobench.units"),
    ("def f():\n    import pandas as pd\n", "pandas"),                 # heavy, but not on the list
    ("def f():\n    def g():\n        import json\n", "json"),
    ("import importlib\ndef f():\n    return importlib.import_module('gobench.cli')\n", "import_module"),
    ("def __getattr__(name):\n    return 1\n", "module __getattr__"),
    ("from importlib.resources import files\nX = files('gopherlab.data')\n", "gopherlab.data"),
    ("from gopherlab_common.lazy import LazyModule\nu = LazyModule('gobench.units')\n", "gobench.units"),
    ("from gopherlab_common.lazy import LazyModule\ndef f():\n    return LazyModule('plotly')\n", "plotly"),
])
def test_scanner_finds_each_kind_of_hidden_import(source, want):
    assert [w for w, _ in hidden_imports("gobench/x.py", source)] == [want]


def test_scanner_accepts_what_the_rule_allows():
    ok = ("import json\nfrom . import units\nfrom gopherlab_common.lazy import LazyModule, pd\n"
          "go = LazyModule('plotly.graph_objects')\n"
          "class C:\n    def __getattr__(self, name):\n        return name\n"
          "def f():\n    return go.Figure(), pd.DataFrame(), units.scale\n")
    assert hidden_imports("gobench/x.py", ok) == []
    body = "def f():\n    from plotly.io._base_renderers import NotebookRenderer\n"
    assert hidden_imports("gopherlab/reports/render.py", body) == []
    assert hidden_imports("gopherlab/reports/bench.py", body) != []
