#!/usr/bin/env python3
"""Make large, real Go profiles for the performance benchmarks (not part of the test run).

    python benchmarks/bigprof.py [--out benchmarks/.data] [--cpu-seconds 120]

Writes a Go program (generated: ~1500 ``//go:noinline`` dispatcher functions
with 8 call sites each and inlined work, walking random call paths 12-52 deep
under pprof labels, plus recursion), builds it with the Go toolchain from
PyPI, and runs it twice:

- ``big.cpu.pb.gz``: CPU profile at 1000 Hz, the run lasting until the target
  sample count (default 150k) is reached or --cpu-seconds pass;
- ``big.heap.pb.gz``: heap profile with MemProfileRate=1 over >= 300k distinct
  allocation paths.

The CPU profiler only samples CPU time the process gets: on a loaded 2-core
machine a run yields far fewer samples than 1000/s. The benchmark's
``big.cpu.pb.gz`` was made from three runs with distinct seeds, merged by
pprof itself::

    python benchmarks/bigprof.py --only cpu --cpu-seconds 150  --seed 0 --cpu-name run0.pb.gz
    python benchmarks/bigprof.py --only cpu --cpu-seconds 1200 --seed 7 --cpu-name run7.pb.gz
    python benchmarks/bigprof.py --only cpu --cpu-seconds 180  --seed 3 --cpu-name run3.pb.gz
    go tool pprof -proto run0.pb.gz run7.pb.gz run3.pb.gz > big.cpu.pb.gz   # 222,827 samples, 55,576 locations
    python benchmarks/bigprof.py --only heap --heap-paths 170000           # 340,026 samples

Nothing generated here is committed; the output directory is git-ignored.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

NFUNC = 1500
FANOUT = 8


def generate(seed: int = 1) -> str:
    rnd = random.Random(seed)
    out = ["package main", "", 'import (', '\t"context"', '\t"flag"', '\t"fmt"', '\t"math/rand"', '\t"os"',
           '\t"runtime"', '\t"runtime/pprof"', '\t"strconv"', '\t"time"', ')', "",
           "var sink any", "var acc uint64", "var heapMode bool", "",
           "func mix(h, v uint64) uint64 { h ^= v; h *= 0x100000001b3; return h }", "",
           "func work(h uint64, n int) uint64 {\n\tfor i := 0; i < n; i++ {\n\t\th = mix(h, uint64(i))\n\t}\n\treturn h\n}", ""]
    for k in range(NFUNC):
        targets = [rnd.randrange(NFUNC) for _ in range(FANOUT)]
        cases = "\n".join(f"\tcase {i}:\n\t\tf{t}(p, d+1)" for i, t in enumerate(targets))
        spin = rnd.randint(50, 400)
        out.append(f"""//go:noinline
func f{k}(p []uint8, d int) {{
	if !heapMode {{
		acc = work(acc+{k}, {spin})
	}}
	if d >= len(p) {{
		leaf(p, d)
		return
	}}
	switch p[d] {{
{cases}
	}}
}}
""")
    out.append("""//go:noinline
func leaf(p []uint8, d int) {
	if heapMode {
		sink = make([]byte, 16+int(p[0])*8)
		return
	}
	acc = work(acc, 2000)
}

//go:noinline
func recurse(n int) uint64 {
	if n == 0 {
		return work(acc, 500)
	}
	return recurse(n-1) + 1
}

func randomPath(r *rand.Rand) []uint8 {
	p := make([]uint8, 12+r.Intn(41))
	for i := range p {
		p[i] = uint8(r.Intn(8))
	}
	return p
}

var seed = flag.Int64("seed", 0, "random seed offset (distinct runs walk distinct paths)")

func walker(ctx context.Context, id int, deadline time.Time, n int) {
	r := rand.New(rand.NewSource(int64(id) + 1000*(*seed)))
	kinds := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	pprof.Do(ctx, pprof.Labels("worker", strconv.Itoa(id), "kind", kinds[id%5]), func(ctx context.Context) {
		for i := 0; (n == 0 || i < n) && (deadline.IsZero() || time.Now().Before(deadline)); i++ {
			p := randomPath(r)
			switch p[0] % 3 {
			case 0:
				f0(p, 1)
			case 1:
				f1(p, 1)
			default:
				if i%50 == 0 && !heapMode {
					acc += recurse(40 + r.Intn(160))
				} else {
					f2(p, 1)
				}
			}
		}
	})
}

func main() {
	mode := flag.String("mode", "cpu", "cpu or heap")
	out := flag.String("out", "big.pb.gz", "output profile")
	seconds := flag.Int("seconds", 120, "cpu: seconds to run")
	paths := flag.Int("paths", 400000, "heap: random paths to walk")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	ctx := context.Background()
	if *mode == "heap" {
		heapMode = true
		runtime.MemProfileRate = 1
		walker(ctx, 0, time.Time{}, *paths)
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			panic(err)
		}
		return
	}
	runtime.SetCPUProfileRate(1000)
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	deadline := time.Now().Add(time.Duration(*seconds) * time.Second)
	done := make(chan bool)
	for w := 0; w < 48; w++ {
		go func(w int) { walker(ctx, w, deadline, 0); done <- true }(w)
	}
	for w := 0; w < 48; w++ {
		<-done
	}
	pprof.StopCPUProfile()
	fmt.Println(acc)
}
""")
    return "\n".join(out)


def go_binary() -> str:
    here = Path(sys.executable).parent / "go"
    return str(here) if here.exists() else "go"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / ".data"))
    ap.add_argument("--cpu-seconds", type=int, default=120)
    ap.add_argument("--heap-paths", type=int, default=400000)
    ap.add_argument("--only", choices=["cpu", "heap"])
    ap.add_argument("--seed", type=int, default=0, help="distinct seeds walk distinct paths (merge runs with go tool pprof -proto)")
    ap.add_argument("--cpu-name", default="big.cpu.pb.gz")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        (src / "go.mod").write_text("module example.com/gopherlab/bigprof\n\ngo 1.27\n")
        (src / "main.go").write_text(generate())
        binary = src / "bigprof"
        subprocess.run([go_binary(), "build", "-trimpath", "-o", str(binary), "."], cwd=src, check=True,
                       env={**os.environ, "GOTOOLCHAIN": "local"})
        if args.only in (None, "heap"):
            subprocess.run([str(binary), "-mode", "heap", "-paths", str(args.heap_paths), "-out", str(out / "big.heap.pb.gz")], check=True)
        if args.only in (None, "cpu"):
            subprocess.run([str(binary), "-mode", "cpu", "-seconds", str(args.cpu_seconds), "-seed", str(args.seed), "-out", str(out / args.cpu_name)],
                           check=True, stdout=subprocess.DEVNULL)
    for p in sorted(out.glob("big.*.pb.gz")):
        print(p, p.stat().st_size)


if __name__ == "__main__":
    main()
