"""Go's amd64 math.Log/math.Exp bit for bit (geomeans in CSV print every digit)."""
from __future__ import annotations

import platform
import struct
import subprocess

import numpy as np
import pytest

from gobench.stats._gomath import go_exp, go_log

PROG = r"""package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		x, _ := strconv.ParseUint(sc.Text(), 16, 64)
		f := math.Float64frombits(x)
		fmt.Printf("%016x %016x\n", math.Float64bits(math.Log(f)), math.Float64bits(math.Exp(math.Log(f)/3)))
	}
}
"""


def _bits(x: float) -> str:
    return struct.pack(">d", x).hex()


@pytest.mark.go
@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="amd64 assembly semantics")
def test_log_exp_bit_identical_to_go(go, tmp_path):
    (tmp_path / "main.go").write_text(PROG)
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.21\n")
    exe = tmp_path / "m"
    subprocess.run([go, "build", "-o", str(exe), "."], cwd=tmp_path, check=True, capture_output=True)
    rng = np.random.default_rng(0)
    xs = list(np.exp(rng.uniform(-40, 40, 400))) + [1e-9, 3e-7, 0.5, 1.0, 2.0, 1234567.0]
    inp = "".join(_bits(float(x)) + "\n" for x in xs)
    out = subprocess.run([str(exe)], input=inp, capture_output=True, text=True, check=True).stdout
    for x, line in zip(xs, out.splitlines()):
        lg, ex = line.split()
        assert _bits(go_log(float(x))) == lg, x
        assert _bits(go_exp(go_log(float(x)) / 3)) == ex, x
