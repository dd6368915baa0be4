//go:build !new

package benchdemo

// The "before" implementations: byte-at-a-time checksum, += string building.

func checksum(data []byte) uint64 {
	var h uint64 = 14695981039346656037
	for _, b := range data {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}

func join(parts []string, sep string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += sep
		}
		s += p
	}
	return s
}

func less(a, b int) bool { return a < b }
