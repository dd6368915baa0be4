// Package benchhistory is a small stdlib-only package whose benchmarks make
// benchmark histories with known changes (see make_history.py).
//
// Each kernel has variants that do a known amount more or less work, as a code
// change would; the variant is chosen at run time by the BENCHHISTORY_KERNELS
// environment variable (read when a benchmark starts), so one test binary plays
// every "commit" of a history:
//
//	BENCHHISTORY_KERNELS=hash=slow,encode=fast,scratch=alloc
//
// Variants (unset kernels are "base"):
//
//	hash     base: 10 mixing rounds per word; slow: 13 (+30 %); fast: 7 (-30 %)
//	encode   base: 10 passes over the buffer; slow: 13 (+30 %); fast: 7 (-30 %)
//	scratch  base: reuses one buffer (0 allocs/op); alloc: a new 4 KiB buffer per op
//
// Every benchmark also reports cpu-ns/op: the process's CPU time per op
// (getrusage), which, unlike ns/op, leaves out the time spent waiting for a CPU
// on a busy machine.
package benchhistory

import (
	"fmt"
	"strings"
)

// Kernels holds the variant of each kernel.
type Kernels struct {
	HashRounds   int  // mixing rounds per 64-bit word
	EncodePasses int  // passes of the byte transform
	ScratchAlloc bool // allocate the scratch buffer on every call
}

// Base is every kernel's base variant.
var Base = Kernels{HashRounds: 10, EncodePasses: 10}

// ParseKernels reads a BENCHHISTORY_KERNELS value: comma-separated kernel=variant pairs.
func ParseKernels(s string) (Kernels, error) {
	k := Base
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, variant, ok := strings.Cut(part, "=")
		if !ok {
			return k, fmt.Errorf("kernel %q: want kernel=variant", part)
		}
		switch name + "=" + variant {
		case "hash=base":
			k.HashRounds = 10
		case "hash=slow":
			k.HashRounds = 13
		case "hash=fast":
			k.HashRounds = 7
		case "encode=base":
			k.EncodePasses = 10
		case "encode=slow":
			k.EncodePasses = 13
		case "encode=fast":
			k.EncodePasses = 7
		case "scratch=base":
			k.ScratchAlloc = false
		case "scratch=alloc":
			k.ScratchAlloc = true
		default:
			return k, fmt.Errorf("unknown kernel variant %q", part)
		}
	}
	return k, nil
}

// Hash mixes every word of data with the given number of rounds (splitmix64's
// finaliser steps) into one FNV-style hash.
func Hash(data []uint64, rounds int) uint64 {
	h := uint64(14695981039346656037)
	for _, w := range data {
		x := w
		for r := 0; r < rounds; r++ {
			x ^= x >> 31
			x *= 0xbf58476d1ce4e5b9
		}
		h = (h ^ x) * 1099511628211
	}
	return h
}

// Encode transforms src into dst (same length) through a byte table, passes times.
func Encode(dst, src []byte, passes int) {
	copy(dst, src)
	for p := 0; p < passes; p++ {
		for i, b := range dst {
			dst[i] = table[b] ^ byte(p)
		}
	}
}

var table = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i*167 + 13)
	}
	return
}()

var scratch = make([]byte, 4096)

// Checksum fills a 4 KiB scratch buffer from seed and sums it; with alloc the
// buffer is allocated on every call, else one buffer is reused.
func Checksum(seed byte, alloc bool) (sum int, buf []byte) {
	buf = scratch
	if alloc {
		buf = make([]byte, 4096)
	}
	for i := range buf {
		buf[i] = seed + byte(i)
	}
	for _, b := range buf {
		sum += int(b)
	}
	return sum, buf
}
