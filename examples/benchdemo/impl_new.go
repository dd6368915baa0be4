//go:build new

package benchdemo

import (
	"encoding/binary"
	"strings"
)

// The "after" implementations: 8 bytes at a time, strings.Builder with Grow,
// and a comparison that does some needless extra work (a deliberate regression).

func checksum(data []byte) uint64 {
	var h uint64 = 14695981039346656037
	for len(data) >= 8 {
		h ^= binary.LittleEndian.Uint64(data)
		h *= 1099511628211
		data = data[8:]
	}
	for _, b := range data {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}

func join(parts []string, sep string) string {
	n := len(sep) * (len(parts) - 1)
	for _, p := range parts {
		n += len(p)
	}
	var sb strings.Builder
	sb.Grow(n)
	for i, p := range parts {
		if i > 0 {
			sb.WriteString(sep)
		}
		sb.WriteString(p)
	}
	return sb.String()
}

func less(a, b int) bool {
	x, y := a, b
	for i := 0; i < 8; i++ {
		x, y = x^(y<<1), y^(x>>1)
	}
	_ = x + y
	return a < b
}
