// Command leakserver is a small HTTP service that leaks goroutines on purpose.
//
// It serves net/http/pprof and expvar on 127.0.0.1 and, next to a healthy
// worker pool, leaks goroutines steadily in four distinct ways:
//
//	chansend  a result sent on an unbuffered channel after the caller gave up (timeout)
//	select    a select loop on channels nobody ever sends on or closes
//	waitgroup a WaitGroup.Wait whose Add counted one Done too many
//	mutex     goroutines queued behind a mutex whose holder returned without Unlock
//
// Each kind runs under the pprof label leak=<kind>; the pool runs under
// role=pool-worker. Leak counts are published in expvar as "leaks", the
// configured rates as "leak_rates" (goroutines per second), the start time as
// "start_unix_ns", the time of the scrape as "now_unix_ns", and a selection of
// runtime/metrics as "runtime_metrics".
//
//	go build -trimpath -o leakserver . && GODEBUG=gctrace=1 ./leakserver -port 0
//
// With -dump N it instead parks N goroutines in a mix of states, writes a
// debug=2 goroutine dump of all of them to stdout and exits (benchmark input).
package main

import (
	"context"
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	leaks     = expvar.NewMap("leaks")
	rates     = expvar.NewMap("leak_rates")
	startTime = time.Now()
	sink      []byte
	sinkMu    sync.Mutex
	retained  [][]byte
)

// ---- the four leaks --------------------------------------------------------

// fetchWithTimeout starts a fetch and waits at most timeout for its result.
// The fetch goroutine sends on an unbuffered channel nobody reads any more
// once the caller has timed out: it blocks in "chan send" forever.
func fetchWithTimeout(timeout time.Duration) {
	result := make(chan []byte)
	go func() {
		time.Sleep(timeout + 2*time.Millisecond)
		result <- make([]byte, 64)
	}()
	select {
	case b := <-result:
		_ = b
	case <-time.After(timeout):
	}
	leaks.Add("chansend", 1)
}

// subscribe starts an event loop on channels that are never sent on or closed.
func subscribe() {
	events := make(chan int)
	quit := make(chan struct{})
	go eventLoop(events, quit)
	leaks.Add("select", 1)
}

//go:noinline
func eventLoop(events chan int, quit chan struct{}) {
	for {
		select {
		case e := <-events:
			_ = e
		case <-quit:
			return
		}
	}
}

// fanOut waits for two tasks but only one of them calls Done.
func fanOut() {
	go func() {
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done() }()
		wg.Wait()
	}()
	leaks.Add("waitgroup", 1)
}

type guarded struct {
	mu sync.Mutex
	n  int
}

// stuck's mutex is taken once and never released.
var stuck = func() *guarded {
	g := &guarded{}
	g.mu.Lock()
	return g
}()

func (g *guarded) incr() {
	g.mu.Lock()
	g.n++
	g.mu.Unlock()
}

func lockForever() {
	go stuck.incr()
	leaks.Add("mutex", 1)
}

// ---- the healthy part ------------------------------------------------------

func worker(jobs <-chan int, allocBytes int) {
	for n := range jobs {
		b := make([]byte, allocBytes)
		for i := 0; i < len(b); i += 4096 {
			b[i] = byte(n)
		}
		sinkMu.Lock()
		sink = b
		sinkMu.Unlock()
	}
}

// ---- schedule --------------------------------------------------------------

type kind struct {
	name  string
	rate  float64
	start func()
	done  int
}

func run(ctx context.Context, kinds []*kind) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			el := now.Sub(startTime).Seconds()
			for _, k := range kinds {
				want := int(math.Floor(k.rate * el))
				for ; k.done < want; k.done++ {
					pprof.Do(ctx, pprof.Labels("leak", k.name), func(context.Context) { k.start() })
				}
			}
		}
	}
}

// runtimeMetrics returns a JSON-friendly selection of runtime/metrics:
// scalars as numbers, histograms as {"counts": [...], "buckets": [...]}
// (buckets has len(counts)+1 boundaries; -Inf/+Inf as strings).
func runtimeMetrics() any {
	names := []string{
		"/sched/pauses/total/gc:seconds", "/sched/pauses/stopping/gc:seconds",
		"/sched/pauses/total/other:seconds", "/sched/latencies:seconds",
		"/gc/cycles/total:gc-cycles", "/gc/cycles/forced:gc-cycles", "/gc/heap/goal:bytes",
		"/gc/heap/live:bytes", "/gc/heap/allocs:bytes", "/sched/goroutines:goroutines",
		"/sched/goroutines-created:goroutines", "/sched/goroutines/waiting:goroutines",
		"/cpu/classes/gc/total:cpu-seconds", "/cpu/classes/total:cpu-seconds", "/gc/gogc:percent",
	}
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	out := map[string]any{}
	f := func(x float64) any {
		if math.IsInf(x, 1) {
			return "+Inf"
		} else if math.IsInf(x, -1) {
			return "-Inf"
		}
		return x
	}
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			out[s.Name] = s.Value.Uint64()
		case metrics.KindFloat64:
			out[s.Name] = s.Value.Float64()
		case metrics.KindFloat64Histogram:
			h := s.Value.Float64Histogram()
			b := make([]any, len(h.Buckets))
			for i, x := range h.Buckets {
				b[i] = f(x)
			}
			out[s.Name] = map[string]any{"counts": h.Counts, "buckets": b}
		}
	}
	return out
}

// ---- -dump mode ------------------------------------------------------------

func dump(n int) {
	never, never2 := make(chan int), make(chan int)
	var mu sync.Mutex
	mu.Lock()
	var wg sync.WaitGroup
	wg.Add(1)
	started := make(chan struct{}, 1024)
	for i := 0; i < n; i++ {
		switch i % 5 {
		case 0:
			go func() { started <- struct{}{}; never <- 1 }()
		case 1:
			go func() { started <- struct{}{}; <-never2 }()
		case 2:
			go func() { started <- struct{}{}; eventLoop(never2, nil) }()
		case 3:
			go func() { started <- struct{}{}; wg.Wait() }()
		case 4:
			pprof.Do(context.Background(), pprof.Labels("role", "parked"), func(context.Context) {
				go func() { started <- struct{}{}; mu.Lock() }()
			})
		}
	}
	// every goroutine has sent once, so none is left blocked on started (a busy machine runs
	// them late: waiting only while started held values left some parked on it as chan sends)
	for i := 0; i < n; i++ {
		<-started
	}
	time.Sleep(200 * time.Millisecond)
	buf := make([]byte, 512<<20)
	m := runtime.Stack(buf, true)
	os.Stdout.Write(buf[:m])
}

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 = pick a free one)")
	chansend := flag.Float64("chansend", 8, "abandoned channel sends per second")
	sel := flag.Float64("select", 4, "leaked select loops per second")
	wgRate := flag.Float64("waitgroup", 2, "leaked WaitGroup waiters per second")
	mutex := flag.Float64("mutex", 1, "goroutines stuck on the mutex per second")
	poolSize := flag.Int("pool", 8, "worker pool size")
	jobRate := flag.Int("jobs", 400, "pool jobs per second")
	allocKB := flag.Int("alloc", 64, "KiB allocated per job")
	dumpN := flag.Int("dump", 0, "write a debug=2 dump of this many parked goroutines to stdout and exit")
	gcEvery := flag.Duration("gc-every", 0, "also call runtime.GC() this often (wraps the 256-entry PauseNs ring quickly)")
	liveMB := flag.Int("live", 0, "MiB of long-lived heap to retain (makes GOGC/GOMEMLIMIT matter)")
	panicAfter := flag.Duration("panic-after", 0, "panic in a request-handling goroutine after this long (traceback tests)")
	flag.Parse()
	if *dumpN > 0 {
		dump(*dumpN)
		return
	}

	kinds := []*kind{
		{name: "chansend", rate: *chansend, start: func() { go fetchWithTimeout(time.Millisecond) }},
		{name: "select", rate: *sel, start: subscribe},
		{name: "waitgroup", rate: *wgRate, start: fanOut},
		{name: "mutex", rate: *mutex, start: lockForever},
	}
	for _, k := range kinds {
		rates.AddFloat(k.name, k.rate)
		leaks.Add(k.name, 0)
	}
	expvar.NewInt("start_unix_ns").Set(startTime.UnixNano())
	expvar.Publish("now_unix_ns", expvar.Func(func() any { return time.Now().UnixNano() }))
	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
	expvar.Publish("runtime_metrics", expvar.Func(runtimeMetrics))
	expvar.NewInt("pool_size").Set(int64(*poolSize))

	ctx := context.Background()
	jobs := make(chan int)
	pprof.Do(ctx, pprof.Labels("role", "pool-worker"), func(context.Context) {
		for i := 0; i < *poolSize; i++ {
			go worker(jobs, *allocKB<<10)
		}
	})
	go func() {
		t := time.NewTicker(time.Second / time.Duration(max(*jobRate/10, 1)))
		for i := 0; ; i++ {
			<-t.C
			for j := 0; j < 10; j++ {
				jobs <- i*10 + j
			}
		}
	}()
	go run(ctx, kinds)
	if *liveMB > 0 {
		retained = make([][]byte, *liveMB)
		for i := range retained {
			retained[i] = make([]byte, 1<<20)
		}
	}
	if *gcEvery > 0 {
		go func() {
			for range time.Tick(*gcEvery) {
				runtime.GC()
			}
		}()
	}
	if *panicAfter > 0 {
		go pprof.Do(ctx, pprof.Labels("role", "handler"), func(context.Context) {
			time.Sleep(*panicAfter)
			var m map[string]int
			m["boom"]++ // panic: assignment to entry in nil map
		})
	}

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	info, _ := json.Marshal(map[string]any{"addr": ln.Addr().String(), "pid": os.Getpid()})
	fmt.Println(string(info))
	log.Fatal(http.Serve(ln, nil))
}
