"""The import graph of the four packages, read from the source: no cycle, and the packages stack
one way (gopherlab_common at the bottom; pprof_parse and gobench beside each other above it, neither
importing the other; gopherlab on top). Module-level and function-level imports both count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gopherlab_common", "pprof_parse", "gobench", "gopherlab")
#: package -> the other packages it may import
ALLOWED = {"gopherlab_common": set(), "pprof_parse": {"gopherlab_common"}, "gobench": {"gopherlab_common"},
           "gopherlab": {"gopherlab_common", "pprof_parse", "gobench"}}


def _modules() -> dict[str, Path]:
    mods = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            subs = {f"{base}.{a.name}" for a in node.names}
            if not subs <= set(mods):
                found.add(base)  # `from pkg import a, b` of submodules imports those, not the package's names
            found |= subs
    return {m for m in found if m in mods and m != name}


def graph(mods: dict[str, Path] | None = None) -> dict[str, set[str]]:
    mods = mods or _modules()
    return {name: _imports(name, path, mods) for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A list of modules that import each other in a ring, or None (depth-first search)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (ring := visit(nxt)):
                return ring
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (ring := visit(node)):
            return ring
    return None


def test_no_import_cycle():
    ring = find_cycle(graph())
    assert ring is None, " -> ".join(ring)


def test_packages_stack_one_way():
    bad = [f"{src} imports {dst}" for src, dsts in graph().items() for dst in dsts
           if dst.split(".")[0] != src.split(".")[0] and dst.split(".")[0] not in ALLOWED[src.split(".")[0]]]
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("edges, ring", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"a"}}, ["a", "a"]),
])
def test_the_cycle_check_finds_rings(edges, ring):
    assert find_cycle(edges) == ring


def test_relative_imports_resolve(tmp_path):
    mods = {"pkg": tmp_path / "pkg" / "__init__.py", "pkg.a": tmp_path / "pkg" / "a.py",
            "pkg.sub": tmp_path / "pkg" / "sub" / "__init__.py", "pkg.sub.b": tmp_path / "pkg" / "sub" / "b.py"}
    for p in mods.values():
        p.parent.mkdir(parents=True, exist_ok=True)
    mods["pkg.sub.b"].write_text("from ..a import x\nfrom . import c\n")
    mods["pkg.a"].write_text("def f():\n    from .sub import b\n")
    for k in ("pkg", "pkg.sub"):
        mods[k].write_text("")
    assert _imports("pkg.sub.b", mods["pkg.sub.b"], mods) == {"pkg.a", "pkg.sub"}
    # importing submodules by name is an edge to those modules, not to the package's own names
    assert _imports("pkg.a", mods["pkg.a"], mods) == {"pkg.sub.b"}
