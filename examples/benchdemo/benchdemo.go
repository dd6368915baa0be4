// Package benchdemo is a small stdlib-only package whose benchmarks produce the
// bundled sample benchmark data (gopherlab/data/bench/old.txt and new.txt).
//
// The "code change" between the two runs is selected by a build tag: without
// tags the package uses the implementations in impl_old.go, with -tags new
// those in impl_new.go.
package benchdemo

import "sort"

// Checksum returns a simple 64-bit checksum of data (the work of one op).
func Checksum(data []byte) uint64 { return checksum(data) }

// Join concatenates parts with a separator.
func Join(parts []string, sep string) string { return join(parts, sep) }

// SortCount sorts xs in place and returns the number of comparisons made.
func SortCount(xs []int) int {
	n := 0
	sort.Slice(xs, func(i, j int) bool {
		n++
		return less(xs[i], xs[j])
	})
	return n
}
