// Command workload is the real Go program behind gopherlab's sample data.
//
// It exercises what the profile parsers must handle: CPU work across many
// functions with inlining and recursion, pprof labels (pprof.Do), allocation
// hot spots, mutex and block contention, and parked goroutines. At the end it
// writes every runtime profile, in proto form (debug=0) and in the legacy text
// form (debug=1; goroutine also debug=2), into -out.
//
//	go run . -out DIR [-duration 3s] [-memprofilerate 4096]
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var sink any

// ---- CPU work: many functions, inlined helpers, recursion -------------------

// mix is small enough to be inlined into its callers.
func mix(h uint64, v uint64) uint64 { h ^= v; h *= 0x100000001b3; return h }

// spin is inlined too and calls mix, giving two levels of inline frames.
func spin(h uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		h = mix(h, uint64(i))
	}
	return h
}

//go:noinline
func hashLoop(n int) uint64 { return spin(14695981039346656037, n) }

//go:noinline
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

type tree struct {
	kids [2]*tree
	val  int
}

// buildTree recurses through a single call site, so heap stacks differ only
// by depth (a profile of a few KB instead of one record per tree path).
//
//go:noinline
func buildTree(depth int) *tree {
	t := &tree{val: depth}
	if depth > 0 {
		for i := range t.kids {
			t.kids[i] = buildTree(depth - 1)
		}
	}
	return t
}

//go:noinline
func walkTree(t *tree) int {
	if t == nil {
		return 0
	}
	sum := t.val
	for _, k := range t.kids {
		sum += walkTree(k)
	}
	return sum
}

//go:noinline
func sortWork(n int) {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = math.Sin(float64(i))
	}
	sort.Float64s(xs)
	sink = xs
}

//go:noinline
func shaWork(n int) {
	buf := make([]byte, 4096)
	for i := 0; i < n; i++ {
		s := sha256.Sum256(buf)
		buf[0] = s[0]
	}
}

//go:noinline
func jsonWork(n int) {
	type rec struct {
		Name  string
		Count int
		Tags  []string
	}
	for i := 0; i < n; i++ {
		b, _ := json.Marshal(rec{Name: "r" + strconv.Itoa(i), Count: i, Tags: []string{"a", "b"}})
		var r rec
		_ = json.Unmarshal(b, &r)
		sink = r
	}
}

//go:noinline
func stringWork(n int) {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteString(fmt.Sprintf("item-%d;", i))
	}
	sink = strings.Split(sb.String(), ";")
}

// ---- Allocation hot spots ---------------------------------------------------

type record struct {
	id      int
	payload []byte
	attrs   map[string]string
}

var retained [][]byte // kept alive: shows up in inuse_space

//go:noinline
func allocSmall(n int) {
	for i := 0; i < n; i++ {
		sink = &record{id: i}
	}
}

//go:noinline
func allocLarge(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, 64<<10)
		if i%16 == 0 {
			retained = append(retained, b)
		}
		sink = b
	}
}

//go:noinline
func allocMaps(n int) {
	for i := 0; i < n; i++ {
		m := make(map[string]string, 8)
		for j := 0; j < 8; j++ {
			m[strconv.Itoa(j)] = strconv.Itoa(i)
		}
		sink = &record{id: i, attrs: m}
	}
}

//go:noinline
func allocBuffers(n int) {
	for i := 0; i < n; i++ {
		var buf bytes.Buffer
		for j := 0; j < 64; j++ {
			buf.WriteString("0123456789abcdef")
		}
		sink = buf.Bytes()
	}
}

// ---- Contention -------------------------------------------------------------

var hot sync.Mutex
var hotCounter int

//go:noinline
func contendMutex(iters int) {
	for i := 0; i < iters; i++ {
		hot.Lock()
		hotCounter += int(hashLoop(2000) & 1)
		hot.Unlock()
	}
}

//go:noinline
func producer(ch chan<- int, deadline time.Time) {
	for i := 0; time.Now().Before(deadline); i++ {
		ch <- i
		time.Sleep(50 * time.Microsecond)
	}
	close(ch)
}

//go:noinline
func consumer(ch <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for v := range ch {
		sink = v
	}
}

// ---- Parked goroutines ------------------------------------------------------

//go:noinline
func parkedWorker(ctx context.Context, jobs <-chan int) {
	select {
	case <-ctx.Done():
	case <-jobs:
	}
}

// leakForever blocks on a channel that nothing else can reach: the
// goroutineleak profile reports it.
//
//go:noinline
func leakForever() {
	ch := make(chan int)
	ch <- 1
}

// ---- Drivers ------------------------------------------------------------------

func cpuPhase(ctx context.Context, deadline time.Time, kind string) {
	pprof.Do(ctx, pprof.Labels("phase", "cpu", "kind", kind), func(ctx context.Context) {
		for time.Now().Before(deadline) {
			switch kind {
			case "hash":
				sink = hashLoop(200000)
			case "recursion":
				sink = fib(int(fibDepth.Load())) // 22; 27 from -step-at on in -windows mode (windows.go)
				sink = walkTree(buildTree(12))
			case "sort":
				sortWork(20000)
			case "encode":
				shaWork(50)
				jsonWork(200)
				stringWork(500)
			}
		}
	})
}

func allocPhase(ctx context.Context, deadline time.Time) {
	pprof.Do(ctx, pprof.Labels("phase", "alloc"), func(ctx context.Context) {
		for time.Now().Before(deadline) {
			allocSmall(2000)
			allocLarge(20)
			allocMaps(200)
			allocBuffers(100)
		}
	})
}

func main() {
	out := flag.String("out", "profiles", "output directory")
	duration := flag.Duration("duration", 3*time.Second, "how long to run the workload")
	memRate := flag.Int("memprofilerate", 4096, "runtime.MemProfileRate")
	parseFlags() // flag.Parse, then the -windows mode if asked (windows.go)

	runtime.MemProfileRate = *memRate
	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(1)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}

	cpuFile, err := os.Create(filepath.Join(*out, "cpu.pb.gz"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(cpuFile); err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	// Parked goroutines, labelled, that stay blocked until the end.
	jobs := make(chan int)
	for i := 0; i < 6; i++ {
		go pprof.Do(ctx, pprof.Labels("role", "parked", "worker", strconv.Itoa(i%3)), func(ctx context.Context) {
			parkedWorker(ctx, jobs)
		})
	}

	for i := 0; i < 3; i++ {
		go pprof.Do(ctx, pprof.Labels("role", "leaked"), func(context.Context) { leakForever() })
	}

	deadline := time.Now().Add(*duration)
	// An earlier heap snapshot, for before/after comparisons (pprof -diff_base).
	early := time.AfterFunc(*duration/2, func() { write(*out, "heap", 0, "heap-early.pb.gz") })
	defer early.Stop()
	var wg sync.WaitGroup
	for _, kind := range []string{"hash", "recursion", "sort", "encode"} {
		wg.Add(1)
		go func(kind string) {
			defer wg.Done()
			cpuPhase(ctx, deadline, kind)
		}(kind)
	}
	wg.Add(1)
	go func() { defer wg.Done(); allocPhase(ctx, deadline) }()
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pprof.Do(ctx, pprof.Labels("phase", "contention"), func(context.Context) {
				for time.Now().Before(deadline) {
					contendMutex(50)
				}
			})
		}()
	}
	ch := make(chan int)
	var cwg sync.WaitGroup
	cwg.Add(1)
	go consumer(ch, &cwg)
	go producer(ch, deadline)
	wg.Wait()
	cwg.Wait()

	pprof.StopCPUProfile()
	cpuFile.Close()
	runtime.GC() // heap profile reflects the last completed GC

	for _, name := range []string{"heap", "allocs", "mutex", "block", "goroutine", "threadcreate", "goroutineleak"} {
		write(*out, name, 0, name+".pb.gz")
		write(*out, name, 1, name+".debug1.txt")
	}
	write(*out, "goroutine", 2, "goroutine.debug2.txt")
	cancel()
	runtime.KeepAlive(retained)
}

func write(dir, name string, debug int, file string) {
	p := pprof.Lookup(name)
	if p == nil {
		log.Fatalf("no profile %q", name)
	}
	f, err := os.Create(filepath.Join(dir, file))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := p.WriteTo(f, debug); err != nil {
		log.Fatal(err)
	}
}
