"""benchunit: tidying, classes, scaling."""
import pytest

from gobench.units import BINARY, DECIMAL, class_of, common_scale, scale, tidy, tidy_unit


@pytest.mark.parametrize("unit,want", [
    ("ns/op", "sec/op"), ("MB/s", "B/s"), ("B/op", "B/op"), ("ns/elem", "sec/elem"),
    ("gc-ns/op", "gc-sec/op"), ("user-ns/op", "user-sec/op"), ("ops/ns", "ops/ns"),
    ("µs/op", "µs/op"), ("KB/op", "KB/op"), ("ns*ns/op", "sec*sec/op"), ("a/b*ns", "a/b*sec"),
])
def test_tidy_unit(unit, want):
    assert tidy_unit(unit)[0] == want


def test_tidy_values():
    assert tidy(598.5, "ns/op") == (598.5 * 1e-9, "sec/op")
    assert tidy(3.5, "MB/s") == (3.5e6, "B/s")
    assert tidy_unit("ns*ns/op")[1] == 1e-9 / 1e9


def test_classes():
    assert class_of("B/s") == BINARY and class_of("text-bytes") == BINARY
    assert class_of("sec/op") == DECIMAL and class_of("ops/B") == DECIMAL


def test_scaling_examples_from_benchstat_output():
    assert scale(2.815e-6, DECIMAL) == "2.815µ"
    assert common_scale([703.6e-9, 644.3e-9], DECIMAL).format(644.3e-9) == "644.3n"
    assert common_scale([8192.0, 4.0], BINARY).format(8192.0) == "8192.000"
    assert common_scale([0.0, 13568.0], BINARY).format(0.0) == "0.00Ki"
    assert common_scale([0.0, 0.0], DECIMAL).format(0.0) == "0.000"
    assert scale(1.234567e6, BINARY) == "1.177Mi"
