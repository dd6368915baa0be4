package main

// The -windows mode: back-to-back CPU profiles, as a continuous profiler writes them,
// for the profiles over time report's bundled sample (examples/regenerate.py windows).
// It lives in its own file so that main.go's line numbers, which the bundled profiles
// record, stay as they were.

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

// fibDepth is the recursion phase's fib argument: 22, and steppedFibDepth from the
// -step-at window on in -windows mode (about 11x the calls: main.fib's share steps up).
var fibDepth atomic.Int32

const fibDepthBase, steppedFibDepth = 22, 27

var (
	windowsFlag = flag.Int("windows", 0, "write this many back-to-back CPU profiles (a continuous profiler's windows) into -out instead")
	windowFlag  = flag.Duration("window", time.Second, "length of each -windows profile")
	stepAtFlag  = flag.Int("step-at", -1, "-windows: from this window on, the recursion phase calls fib(27), not fib(22) (default: half way)")
)

// parseFlags parses the command line; with -windows N it writes the windows and exits.
func parseFlags() {
	flag.Parse()
	fibDepth.Store(fibDepthBase)
	if *windowsFlag <= 0 {
		return
	}
	stepAt := *stepAtFlag
	if stepAt < 0 {
		stepAt = *windowsFlag / 2
	}
	writeWindows(flag.Lookup("out").Value.String(), *windowsFlag, *windowFlag, stepAt)
	os.Exit(0)
}

// writeWindows runs the CPU phases without pause and profiles them in n back-to-back
// windows, cpu-000.pb.gz ... in dir; from window stepAt on, the recursion phase calls
// fib(27) instead of fib(22). Each profile's time is its window's start.
func writeWindows(dir string, n int, window time.Duration, stepAt int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	far := time.Now().Add(24 * time.Hour)
	for _, kind := range []string{"hash", "recursion", "sort", "encode"} {
		go cpuPhase(ctx, far, kind)
	}
	for k := 0; k < n; k++ {
		if k == stepAt {
			fibDepth.Store(steppedFibDepth)
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%03d.pb.gz", k)))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		time.Sleep(window)
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
