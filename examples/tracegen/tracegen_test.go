package main

import (
	"sync"
	"testing"
	"time"
)

// TestWorkload gives `go test -trace` something to record: the workload, briefly,
// plus goroutines that meet on a WaitGroup.
func TestWorkload(t *testing.T) {
	workload(30 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); time.Sleep(time.Millisecond) }()
	}
	wg.Wait()
}
