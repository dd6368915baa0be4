"""pprof's regular expressions are Go's: what Go's ``regexp.Compile`` accepts and refuses, and what
``MatchString`` says, checked against a Go program built here; the options that take a regex against
``go tool pprof``; and the ``re`` fallback used when google-re2 cannot be imported."""

from __future__ import annotations

import json
import subprocess
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pprof_parse
from pprof_parse.analyze import goregex
from pprof_parse.analyze.filter import FILTER_OPTIONS, apply_filters
from pprof_parse.analyze.goregex import compile_regex, compile_regex_fallback, compile_regex_re2
from pprof_parse.errors import OptionError
from goenv import go_binary, go_env
from pprof_oracle import pprof
from test_filters_differential import check_top

# Go: read {"patterns": [...], "subjects": [...]}, print per pattern {"error": msg} or {"match": [bool...]}
GO_ORACLE = r"""
package main

import (
	"encoding/json"
	"os"
	"regexp"
)

func main() {
	var in struct{ Patterns, Subjects []string }
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	type result struct {
		Error string `json:"error,omitempty"`
		Match []bool `json:"match"`
	}
	out := make([]result, len(in.Patterns))
	for i, p := range in.Patterns {
		rx, err := regexp.Compile(p)
		if err != nil {
			out[i].Error = err.Error()
			continue
		}
		for _, s := range in.Subjects {
			out[i].Match = append(out[i].Match, rx.MatchString(s))
		}
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
"""

# each row: a pattern; Go's verdict decides, the test only requires that we agree
PATTERNS = [
    # Perl forms Go refuses and Python's re accepts
    r"a(?=b)", r"a(?!b)", r"(?<=a)b", r"(?<!a)b", r"(a)\1", r"(?P<x>a)(?P=x)", r"(?>a)", r"(?#c)", r"(?x) a",
    r"(?'n'a)", r"\Z", r"a\Z", r"\G", r"\X", r"\R", r"\h", r"\K", r"\e", r"\cA", r"\o{101}", r"\u0041", r"\N{DASH}",
    r"\i", r"\g1", r"\k<a>", r"\E", r"(?|a)", r"(?R)", r"(*ANY)", r"(?J)a", r"\C", r"a\Cb", r"[\C]", r"\Q\C\E",
    # RE2 forms Go accepts and Python's re refuses or reads differently
    r"main\.(?i)JSONROUNDTRIP", r"main\.(?i)jsonwork", r"a(?i)b(?-i)c", r"(?U)a+", r"(?i:A)b", r"\pL", r"\p{Greek}",
    r"\PL", r"\p{^L}", r"\pN+", r"[\p{Greek}\d]", r"\p{Han}", r"\p{Zzzz}", r"\p{L&}", r"[[:alpha:]]+", r"[[:^alpha:]]",
    r"[[:word:]]", r"[[:foo:]]", r"\Qa.b\E", r"\Qa.b", r"a\z", r"\x{41}", r"\x{10FFFF}", r"\x{110000}", r"(?<n>a)",
    r"(?P<n>a)", r"(?P<a>x)(?P<a>y)", r"(?P<>x)", r"(?P<a-b>x)", r"\0", r"\01", r"\1", r"\8", r"\_", r"\-", r"\ ",
    r"\#", r"\&", r"\~", r"\<", r"\`", r"\:", r"\/", r"\!", r"[\b]", r"[a-\d]", r"[z-a]", r"[]a]", r"[^]a]", r"[]",
    # repetition rules
    r"a**", r"a++", r"a*+", r"a?*", r"(a*)*", r"a{2}{3}", r"a{2}*", r"a{1000}", r"a{1001}", r"(a{2}){500}",
    r"(a{2}){501}", r"(a{1000}){2}", r"a{,3}", r"a{2,1}", r"a{", r"{", r"}", r"*", r"+a", r"x{1000,}",
    # ordinary pattern pieces and their meaning
    r"", r"|", r"()", r"^$", r"a$", r"^a", r"(?m)^b$", r"(?s)a.b", r"a.b", r"\d+", r"\s", r"\w+$", r"\bfoo\b",
    r"(?i)k", r"(?i)ſ", r"é", r"(?i)É", r"\xe9", "\x00", r"[^a]", r"main\.spin$", r"runtime\.|sort",
]
SUBJECTS = ["ab", "main.jsonWork", "main.JSONROUNDTRIP", "main.JsonRoundTrip", "aa", "a\nb", "a\n", "b", "A", "é",
            "É",
            "K", "\u212a", "ſ", "s", "a.b", "", "\x00", "α", "汉", "foo bar", "a" * 1000, "main.spin", "sort.Slice",
            "abc", "aBc", "abC", "12", "\t", "\v"]


@pytest.fixture(scope="session")
def go_regexp(tmp_path_factory, go):
    """Go's verdict on every pattern of PATTERNS over SUBJECTS."""
    work = tmp_path_factory.mktemp("goregexp")
    (work / "main.go").write_text(GO_ORACLE)
    exe = work / "goregexp"
    subprocess.run([go_binary(), "build", "-o", str(exe), "main.go"], cwd=work, env=go_env(), check=True)

    def run(patterns, subjects=SUBJECTS):
        out = subprocess.run([str(exe)], input=json.dumps({"Patterns": patterns, "Subjects": subjects}),
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)
    return run


def _ours(pattern, subjects=SUBJECTS):
    try:
        rx = compile_regex("focus", pattern)
    except OptionError as e:
        return {"error": str(e)}
    return {"match": [rx.match_string(s) for s in subjects]}


@pytest.mark.go
def test_accepts_refuses_and_matches_like_go(go_regexp):
    assert goregex.re2 is not None, "google-re2 is a dependency"
    disagree = []
    for pattern, go in zip(PATTERNS, go_regexp(PATTERNS)):
        ours = _ours(pattern)
        if ("error" in go) != ("error" in ours) or go.get("match") != ours.get("match"):
            disagree.append((pattern, go, ours))
    assert disagree == []


@pytest.mark.go
def test_documented_limit_differences(go_regexp):
    """The two differences goregex's docstring lists: Go's nesting limit, RE2's memory budget."""
    deep = "(" * 1001 + ")" * 1001
    large = r"\pL{1000}"
    go_deep, go_large = go_regexp([deep, large], ["a"])
    assert "nests too deeply" in go_deep["error"] and go_large["match"] == [False]
    for p in (deep, large):
        try:
            compile_regex("focus", p)
        except OptionError:  # the only way either may fail
            pass


def test_refusals_name_the_option_and_pattern():
    with pytest.raises(OptionError, match=r"parsing show_from regexp `main\\.\(\?=x\)`: invalid perl operator"):
        compile_regex("show_from", r"main\.(?=x)")
    with pytest.raises(OptionError, match="invalid UTF-8"):
        compile_regex("focus", "\ud800")
    with pytest.raises(OptionError, match="focus must be a str"):
        compile_regex("focus", b"main")


def test_text_is_matched_as_utf8():
    assert compile_regex("focus", r"^\pL+$").match_string("héllo")
    assert compile_regex("focus", r"(?i)k").match_string("\u212a")  # Kelvin sign folds to k, as in Go
    assert not compile_regex("focus", r"a$").match_string("a\n")  # $ is the end of text, not before a final \n
    assert compile_regex("focus", "x").match_string("x\udcff")  # a lone surrogate does not raise


def test_anchored_is_pprofs_drop_frames_wrap():
    rx = compile_regex("drop_frames", r"runtime\..*|a)|(b", anchored=True)  # ^(runtime\..*|a)|(b)$ in Go
    assert rx.match_string("runtime.gopark") and rx.match_string("ab") and rx.match_string("xb")
    assert not rx.match_string("x.runtime.gopark")


# ---- the options that take a regex --------------------------------------------------------------

REGEX_OPTIONS = [*(o for o in FILTER_OPTIONS if o not in ("tagfocus", "tagignore")), "tagfocus", "tagignore"]


@pytest.mark.parametrize("option", REGEX_OPTIONS)
@pytest.mark.parametrize("pattern", [r"main\.(?=spin)", r"(main)\1", r"\C"])
def test_every_option_refuses_what_go_refuses(sample_profiles, option, pattern):
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    value = f"kind={pattern}" if option in ("tagfocus", "tagignore") else pattern
    with pytest.raises(OptionError, match=rf"parsing {option} regexp `") as e:
        prof.top(**{option: value})
    assert pattern in str(e.value)
    with pytest.raises(OptionError, match="parsing peek regexp `"):
        prof.peek(pattern)


def test_drop_frames_refused_like_go(sample_profiles, tmp_path):
    from test_filters_differential import _with_drop_frames

    path = _with_drop_frames(sample_profiles / "cpu.pb.gz", tmp_path / "d.pb.gz", r"runtime\.(?=x)")
    with pytest.raises(OptionError, match=r"parsing drop_frames regexp `runtime\\.\(\?=x\)`"):
        pprof_parse.read_profile(path)
    assert len(pprof_parse.read_profile(path, all_frames=True)) > 0


CASE_FOLD = [
    {"focus": "main\\.(?i)JSONROUNDTRIP"},   # pprof accepts it and it matches nothing here
    {"focus": "main\\.(?i)JSONWORK"},
    {"ignore": "(?i)RUNTIME\\."},
    {"show": "main\\.(?i:SPIN|HASHLOOP)$"},
    {"hide": "\\pL+\\.mallocgc$"},
    {"show_from": "main\\.(?U)cpuPh.+"},
    {"prune_from": "(?i)SLICES\\."},
    {"tagfocus": "kind=(?i)HASH"},
    {"taghide": "(?i)PHASE"},
]


@pytest.mark.go
@pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")
@pytest.mark.parametrize("opts", CASE_FOLD, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_go_only_syntax_equals_pprof(workload_profiles, opts):
    check_top(workload_profiles / "cpu.pb.gz", **opts)


@pytest.mark.go
@pytest.mark.parametrize("opts", [
    {"focus": "(", "tagshow": "("}, {"tagshow": "(", "prune_from": "("}, {"prune_from": "(", "tagignore": "("},
    {"tagfocus": "(", "show_from": "("}, {"taghide": "(?=x)", "hide": "\\1"},
], ids=lambda o: ",".join(o))
def test_first_bad_option_reported_is_pprofs(workload_profiles, opts):
    path = workload_profiles / "cpu.pb.gz"
    with pytest.raises(RuntimeError) as ref:
        pprof("-top", *(f"-{k}={v}" for k, v in opts.items()), str(path))
    theirs = next(k for k in FILTER_OPTIONS if f"parsing {k} regexp" in str(ref.value))
    with pytest.raises(OptionError) as ours:
        pprof_parse.read_profile(path).top(**opts)
    assert str(ours.value).startswith(f"parsing {theirs} regexp")


# ---- the fallback when google-re2 cannot be imported ------------------------------------------------


def test_fallback_translates_re2_spellings():
    assert compile_regex_fallback("focus", r"^[[:digit:]]+\z").match_string("123")
    assert not compile_regex_fallback("focus", r"^[[:digit:]]+\z").match_string("123\n")
    assert compile_regex_fallback("drop_frames", r"runtime\..*", anchored=True).match_string("runtime.x")
    assert not compile_regex_fallback("drop_frames", r"runtime", anchored=True).match_string("xruntime")
    assert compile_regex_fallback("focus", "a").engine == "re"
    with pytest.raises(OptionError, match="parsing focus regexp `main\\(`"):
        compile_regex_fallback("focus", "main(")
    # the documented differences of the fallback
    assert compile_regex_fallback("focus", "a(?=b)").match_string("ab")
    with pytest.raises(OptionError):
        compile_regex_fallback("focus", r"main\.(?i)json")


def test_without_re2_the_fallback_is_used(monkeypatch, sample_profiles):
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    with_re2 = prof.top(focus="main\\.", hide="runtime\\.", tagfocus="kind=hash")
    monkeypatch.setattr(goregex, "re2", None)
    assert compile_regex("focus", "main").engine == "re"
    with pytest.raises(OptionError, match="google-re2"):
        compile_regex_re2("focus", "main")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        without = prof.top(focus="main\\.", hide="runtime\\.", tagfocus="kind=hash")
        assert apply_filters(prof.data, focus="[[:alpha:]]+\\z").n_samples > 0
    assert without.equals(with_re2)


# ---- many names at once --------------------------------------------------------------------------

PIECES = ["a", "b", "é", ".", "\\.", "^", "$", "\\b", "\\B", "\\A", "\\z", "|", "*", "+", "?", "(", ")", "[^a]", "\\s",
          "(?m)", "(?s)", "(?i)", "(?-m)", "(?i-m:", "\\n", "\\pL", "\\Qa$\\E", "x{2}", "[[:word:]]", "(?U)"]
TEXT = st.text(alphabet=st.sampled_from(["a", "b", "A", "é", "\n", " ", ".", "x", "_", "$", "\u212a"]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(pattern=st.lists(st.sampled_from(PIECES), max_size=6).map("".join), texts=st.lists(TEXT, max_size=40))
def test_match_many_is_match_string_of_each(pattern, texts):
    for compile_ in (compile_regex_re2, compile_regex_fallback):
        try:
            rx = compile_("focus", pattern)
        except OptionError:
            continue
        assert rx.match_many(texts).tolist() == [rx.match_string(t) for t in texts], (pattern, texts, rx.engine)


def test_match_many_on_many_names():
    names = [f"github.com/org/pkg{i % 300}/sub.(*T{i}).M{i}" for i in range(5000)] + ["", "a\nmain.x", "main.x\n"]
    for pattern in ["M1234$", "^github", "pkg(7|8)/", "\\bsub\\b", "zzz", ".", "(?i)m99", "^main", "x$", "\\Amain",
                    "(?-m:^main)", "(?s)x.$"]:
        rx = compile_regex("focus", pattern)
        assert rx.match_many(names).tolist() == [rx.match_string(n) for n in names], pattern
