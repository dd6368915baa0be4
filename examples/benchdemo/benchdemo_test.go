package benchdemo

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

var sink uint64

// BenchmarkChecksum reports throughput (MB/s) with b.SetBytes.
func BenchmarkChecksum(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		data := make([]byte, size)
		rand.New(rand.NewSource(1)).Read(data)
		b.Run(fmt.Sprintf("size=%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				sink += Checksum(data)
			}
		})
	}
}

// BenchmarkJoin reports allocations with b.ReportAllocs.
func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{16, 256} {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strings.Repeat("x", 1+i%7)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sink += uint64(len(Join(parts, ",")))
			}
		})
	}
}

// BenchmarkSort reports a custom metric (comparisons per op) with b.ReportMetric.
func BenchmarkSort(b *testing.B) {
	for _, n := range []int{100, 1000} {
		src := rand.New(rand.NewSource(2)).Perm(n)
		xs := make([]int, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			cmps := 0
			for i := 0; i < b.N; i++ {
				copy(xs, src)
				cmps += SortCount(xs)
			}
			b.ReportMetric(float64(cmps)/float64(b.N), "cmps/op")
		})
	}
}
