"""Function names as ``go tool pprof`` shows them: its default simplification of C++/Rust-shaped
and Go-generic names, and the ``-symbolize=demangle=`` modes (issue 13, section 4).

The profile is crafted (C++ and Rust names cannot come from a Go program); it is written with
the protobuf module and read by the real ``go tool pprof``.
"""

from __future__ import annotations

import gzip
import warnings

import pytest

import pprof_parse
from pprof_parse.errors import OptionError, PprofParseWarning
from pprof_parse.proto import profile_pb2
from pprof_parse.read.demangle import remove_matching, simplify_name
from pprof_oracle import pprof_top

# (name, system_name): name == system_name unless the writer demangled it itself
NAMES = [
    ("<alloc::alloc::Global as core::alloc::Allocator>::allocate",) * 2,
    ("std::vector<int, std::allocator<int> >::push_back(int const&)",) * 2,
    ("m.New[go.shape.interface { At() int; Set(int) }]",) * 2,
    ("slices.SortFunc[go.shape.[]main.T,go.shape.func(main.T, main.T) int]",) * 2,
    ("main.(*Stack[go.shape.int]).Push",) * 2,  # Go method on a generic type: pprof keeps it
    ("java.util.HashMap.<init>",) * 2,  # Java constructor: kept
    ("operator->(int)",) * 2,  # unbalanced '>' stops the template removal
    ("ns::f(a))g(b)",) * 2,  # unbalanced ')'
    ("foo::bar<baz<qux> >::run() const",) * 2,
    ("main.main",) * 2,
    ("main.(*T).Method",) * 2,
    ("demangled::by<the>::writer(int)", "_ZN8demangled2by6writerEi_sys"),  # name != system_name
    ("", "empty::name<int>::uses_system(long)"),  # empty name: pprof uses the system name
]


def write_names_profile(path):
    p = profile_pb2.Profile()
    strings = [""]

    def s(x: str) -> int:
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    vt = p.sample_type.add()
    vt.type, vt.unit = s("samples"), s("count")
    for i, (name, system) in enumerate(NAMES, start=1):
        f = p.function.add()
        f.id, f.name, f.system_name, f.filename = i, s(name), s(system), s(f"f{i}.cc")
        loc = p.location.add()
        loc.id, loc.address = i, 0x1000 * i
        ln = loc.line.add()
        ln.function_id, ln.line = i, i
        smp = p.sample.add()
        smp.location_id.append(i)
        smp.value.append(10 * i)  # distinct values: rows are unambiguous
    p.period_type.type, p.period_type.unit = s("samples"), s("count")
    p.period = 1
    p.string_table.extend(strings)
    path.write_bytes(gzip.compress(p.SerializeToString()))
    return path


def _ours(path, **kw):
    df = pprof_parse.read_profile(path, **kw).top()
    return sorted(zip(df["name"], df["flat"].tolist()))


@pytest.mark.go
@pytest.mark.parametrize("mode", [None, "default", "templates", "full", "none"])
def test_names_equal_pprof(tmp_path, go, mode):
    path = write_names_profile(tmp_path / "names.pb.gz")
    flags = () if mode is None else (f"-symbolize=demangle={mode}",)
    ref = sorted((r["name"], r["flat"]) for r in pprof_top(path, *flags).rows)
    ours = _ours(path) if mode is None else _ours(path, demangle=mode)
    assert ours == ref
    assert len(ref) == len(NAMES)


def test_default_names_of_the_issue(tmp_path):
    names = dict(_ours(write_names_profile(tmp_path / "n.pb.gz")))
    assert "::allocate" in names
    assert "std::vector::push_back" in names
    assert "m.New[go.shape.interface { At int; Set }]" in names
    assert "main.(*Stack[go.shape.int]).Push" in names
    assert "demangled::by<the>::writer(int)" in names  # the writer's own demangled name is kept


def test_simplify_name_rules():
    assert simplify_name("a<b<c>>::d(e(f))") == "a::d"
    assert simplify_name("a<b<c>>::d(e(f))", "templates") == "a<b<c>>::d"
    assert simplify_name("a<b>::d(e)", "full") == "a<b>::d(e)"
    assert simplify_name("_ZN3foo3barEv") == "_ZN3foo3barEv"  # mangled: kept (no demangler)
    assert remove_matching("x)(y)", "(", ")") == "x)(y)"
    assert remove_matching("(a)(b)c", "(", ")") == "c"


def test_bad_mode_is_an_option_error(tmp_path):
    with pytest.raises(OptionError, match="demangle"):
        pprof_parse.read_profile(write_names_profile(tmp_path / "n.pb.gz"), demangle="simplified")


def test_mangled_names_kept_with_a_warning(tmp_path):
    p = profile_pb2.Profile()
    p.string_table.extend(["", "samples", "count", "_ZNSt6vectorIiSaIiEE9push_backERKi", "v.cc"])
    vt = p.sample_type.add()
    vt.type, vt.unit = 1, 2
    f = p.function.add()
    f.id, f.name, f.system_name, f.filename = 1, 3, 3, 4
    loc = p.location.add()
    loc.id = 1
    loc.line.add().function_id = 1
    smp = p.sample.add()
    smp.location_id.append(1)
    smp.value.append(5)
    with pytest.warns(PprofParseWarning, match="1 mangled"):
        prof = pprof_parse.read_profile(p.SerializeToString())
    assert list(prof.top()["name"]) == ["_ZNSt6vectorIiSaIiEE9push_backERKi"]


def test_go_profiles_keep_their_names(sample_profiles):
    """Real Go profiles: names change only where pprof's rule says so (no warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in ("cpu.pb.gz", "heap.pb.gz"):
            raw = pprof_parse.read_profile(sample_profiles / f, demangle="none")
            simple = pprof_parse.read_profile(sample_profiles / f)
            d = raw.data
            for a, b in zip(raw.functions["name"], simple.functions["name"]):
                assert b == simplify_name(a)
            assert len(simple.top()) <= len(raw.top())
            assert d.func_name.size == simple.data.func_name.size
