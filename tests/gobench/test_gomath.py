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


def test_c_fma_equals_exact_fma():
    """The C library's fma (used when present) is bit for bit the exact-integer one."""
    import math
    import random

    from gobench.stats import _gomath

    rng = random.Random(9)
    specials = [0.0, -0.0, 1.0, -1.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                0.1, 1 / 3, 2 ** -1074, 2 ** 52 + 1]
    for _ in range(20000):
        a, b, c = (rng.choice(specials) if rng.random() < 0.1 else
                   rng.uniform(-1, 1) * 2.0 ** rng.randint(-1070, 1000) for _ in range(3))
        if rng.random() < 0.3:      # near-cancellation: c close to -a*b
            c = -(a * b) * (1 + rng.uniform(-1e-15, 1e-15))
        if not (math.isfinite(a * b) and math.isfinite(c)) or a * b == 0 or c == 0:
            continue  # the integer emulation: finite a*b and c; its zero shortcut can
            # miss the sign of an underflowing product (the C fma is IEEE's there)
        want = _gomath._fma_exact(a, b, c)
        got = _gomath.fma(a, b, c)
        assert (math.isnan(got) and math.isnan(want)) or (
            got == want and math.copysign(1, got) == math.copysign(1, want)), (a, b, c)


# (x, Log(x), Exp(Log(x))) as float64 bits, printed by a Go 1.27 program on amd64: Go's
# assembly Log does not normalise subnormals (benchstat's geomean of 4e-320 is 1.1125e-308)
GO_SUBNORMAL_LOG = [
    (8096, 13872820470454844241, 2251799813689274),
    (1, 13872820470454844257, 2251799813685178),
    (20240225330731, 13872820431011721206, 2261919926350623),
    (4503599627370495, 13872814373467765970, 4503599627370620),
    (118622047889322841, 13872659378474614709, 118622047889322984),
]


def test_log_of_subnormals_as_go_amd64():
    import struct

    import numpy as np

    from gobench.stats._gomath import go_exp, go_log, go_log_array

    def f(b):
        return struct.unpack("<d", struct.pack("<Q", b))[0]

    def bits(x):
        return struct.unpack("<Q", struct.pack("<d", x))[0]

    for xb, lb, eb in GO_SUBNORMAL_LOG:
        x = f(xb)
        assert bits(go_log(x)) == lb
        assert bits(float(go_log_array(np.array([x, 1.0]))[0])) == lb
        assert bits(go_exp(go_log(x))) == eb


def test_infinite_percentages_as_go():
    from gobench.present.gofmt import go_pct_delta
    from gobench.stats.summary import pct_range_string

    assert [go_pct_delta(x) for x in (float("inf"), -float("inf"), float("nan"), 1.234)] == \
        ["+Inf%", "-Inf%", "+NaN%", "+1.23%"]
    assert pct_range_string(4e-320, 1e-320, 1e300) == "+Inf%"
