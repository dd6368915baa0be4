// Command tracegen writes Go execution traces for gopherlab's trace reader tests.
//
// It runs a small workload that exercises what the tracer records -- goroutines
// created and destroyed, channel and select blocking, mutex and WaitGroup waits,
// sleeps, syscalls (file I/O), network I/O on loopback, user tasks, regions and
// logs, and forced GC cycles -- while runtime/trace (or the flight recorder)
// records it.
//
//	tracegen -o trace.out [-duration 200ms] [-mode start|flight [-flight-bytes N]]
//
// -mode flight runs a trace.FlightRecorder instead and writes its snapshot.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	out := flag.String("o", "trace.out", "output file")
	duration := flag.Duration("duration", 200*time.Millisecond, "how long the workload runs")
	mode := flag.String("mode", "start", "start (runtime/trace.Start) or flight (trace.FlightRecorder)")
	flightBytes := flag.Uint64("flight-bytes", 4<<20, "the flight recorder's MaxBytes")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	switch *mode {
	case "start":
		if err := trace.Start(f); err != nil {
			log.Fatal(err)
		}
		workload(*duration)
		trace.Stop()
	case "flight":
		fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: time.Millisecond, MaxBytes: *flightBytes})
		if err := fr.Start(); err != nil {
			log.Fatal(err)
		}
		workload(*duration)
		if _, err := fr.WriteTo(f); err != nil {
			log.Fatal(err)
		}
		fr.Stop()
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

// workload runs every kind of activity until d has passed.
func workload(d time.Duration) {
	ctx, task := trace.NewTask(context.Background(), "workload")
	defer task.End()
	deadline := time.Now().Add(d)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go echoServer(ln)

	var wg sync.WaitGroup
	var mu sync.Mutex
	counter := 0
	for round := 0; time.Now().Before(deadline); round++ {
		rctx, rtask := trace.NewTask(ctx, "round")
		trace.Logf(rctx, "round", "round %d", round)

		ping, pong := make(chan int), make(chan int)
		wg.Add(1)
		go func() { // channel ping-pong
			defer wg.Done()
			for v := range ping {
				pong <- v + 1
			}
			close(pong)
		}()
		trace.WithRegion(rctx, "pingpong", func() {
			for i := 0; i < 50; i++ {
				ping <- i
				<-pong
			}
			close(ping)
		})

		for i := 0; i < 4; i++ { // mutex contention
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 200; j++ {
					mu.Lock()
					counter++
					mu.Unlock()
				}
			}()
		}

		wg.Add(1)
		go func() { // select with a timer
			defer wg.Done()
			t := time.NewTimer(200 * time.Microsecond)
			c := make(chan int)
			select {
			case <-t.C:
			case <-c:
			}
		}()

		trace.WithRegion(rctx, "syscalls", func() { fileIO(round) })
		trace.WithRegion(rctx, "network", func() { echo(ln.Addr().String()) })
		time.Sleep(100 * time.Microsecond)
		wg.Wait()
		if round%5 == 0 {
			runtime.GC()
		}
		rtask.End()
	}
	trace.Log(ctx, "done", fmt.Sprint(counter))
}

func fileIO(round int) {
	p := filepath.Join(os.TempDir(), fmt.Sprintf("tracegen-%d-%d", os.Getpid(), round%3))
	if err := os.WriteFile(p, make([]byte, 4096), 0o600); err != nil {
		log.Fatal(err)
	}
	if _, err := os.ReadFile(p); err != nil {
		log.Fatal(err)
	}
	os.Remove(p)
}

func echoServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}

func echo(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	for i := 0; i < 5; i++ {
		if _, err := c.Write(buf); err != nil {
			log.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			log.Fatal(err)
		}
	}
}
