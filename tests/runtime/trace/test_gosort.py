"""gosort.sort_func orders ties exactly as Go's slices.SortFunc (the reader's frontier sort)."""

from __future__ import annotations

import random
import subprocess

import pytest

from goenv import go_env
from pprof_parse.runtime.trace.gosort import sort_func

pytestmark = pytest.mark.go

SORTER = """package main

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Each input line holds keys; print the keys' indices in slices.SortFunc's order.
func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	type kv struct{ k, i int }
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		xs := make([]kv, len(f))
		for i, s := range f {
			k, _ := strconv.Atoi(s)
			xs[i] = kv{k, i}
		}
		slices.SortFunc(xs, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strconv.Itoa(x.i)
		}
		fmt.Println(strings.Join(out, " "))
	}
}
"""


def test_ties_ordered_as_go(tmp_path, go):
    (tmp_path / "go.mod").write_text("module sorter\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(SORTER)
    subprocess.run([go, "build", "-o", "sorter", "."], cwd=tmp_path, env=go_env(), check=True)
    rng = random.Random(62461)
    cases = []
    for _ in range(300):
        n = rng.choice([3, 12, 13, 20, 49, 50, 51, 64, 130, 400])
        distinct = rng.choice([1, 2, 3, 5, 10, 10**6])
        keys = [rng.randrange(distinct) for _ in range(n)]
        shape = rng.choice(["random", "sorted", "reversed", "saw"])
        if shape == "sorted":
            keys.sort()
        elif shape == "reversed":
            keys.sort(reverse=True)
        elif shape == "saw":
            keys = [i % distinct for i in range(n)]
        cases.append(keys)
    text = "".join(" ".join(map(str, keys)) + "\n" for keys in cases)
    lines = subprocess.run([str(tmp_path / "sorter")], input=text, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert len(lines) == len(cases)
    for keys, line in zip(cases, lines):
        data = list(enumerate(keys))
        sort_func(data, key=lambda kv: kv[1])
        assert [i for i, _ in data] == [int(x) for x in line.split()], keys
