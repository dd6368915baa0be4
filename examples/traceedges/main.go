// Command traceedges writes a short execution trace with the cases that go tool trace's
// goroutine, region and task pages treat specially: a goroutine created inside a region
// (it inherits the region's task), a region left open when its goroutine exits, a region
// and a task still open when the trace stops, a region and a log with no task, a task ended
// twice, goroutines blocked forever, allocation while the GC runs (mark assists, sweeps), and
// a coroutine (iter.Pull: the GoSwitch, GoSwitchDestroy and GoCreateBlocked events).
package main

import (
	"context"
	"flag"
	"iter"
	"log"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sinks [4][][]byte

func main() {
	out := flag.String("o", "trace.out", "trace file to write")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	ctx, task := trace.NewTask(context.Background(), "edges")
	var wg sync.WaitGroup
	trace.WithRegion(ctx, "spawn", func() {
		wg.Add(1)
		go func() { // created inside a region: go tool trace gives it a region of type ""
			defer wg.Done()
			trace.StartRegion(ctx, "left open") // never ended: it ends with the goroutine
			time.Sleep(time.Millisecond)
		}()
		wg.Wait()
	})
	trace.WithRegion(context.Background(), "background", func() { time.Sleep(100 * time.Microsecond) })
	trace.Log(context.Background(), "category", "a log with no task")
	var never chan int
	go func() { <-never }() // blocked forever: the goroutine's end for go tool trace
	go func() { select {} }()
	for i := range sinks {
		wg.Add(1)
		go func() { // allocate while the GC runs
			defer wg.Done()
			for j := 0; j < 20000; j++ {
				sinks[i] = append(sinks[i], make([]byte, 1024))
				if len(sinks[i]) > 2048 {
					sinks[i] = sinks[i][:0]
				}
			}
		}()
	}
	runtime.GC()
	wg.Wait()
	pull()
	_, twice := trace.NewTask(ctx, "ended twice")
	twice.End()
	time.Sleep(100 * time.Microsecond)
	twice.End() // go tool trace keeps the last end (and, unpaired, its empty type)
	task.End()
	open, _ := trace.NewTask(context.Background(), "unfinished")
	trace.StartRegion(open, "open at end")
	time.Sleep(100 * time.Microsecond)
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// pull reads part of a sequence through iter.Pull, whose coroutine the tracer records as
// goroutine switches, then stops it (the coroutine's goroutine is destroyed by a switch).
func pull() {
	next, stop := iter.Pull(func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	})
	for {
		if v, ok := next(); !ok || v >= 100 {
			break
		}
	}
	stop()
}
