package benchhistory

import (
	"os"
	"testing"
)

var (
	sinkU   uint64
	sinkI   int
	sinkBuf []byte
)

// kernels reads BENCHHISTORY_KERNELS when a benchmark starts.
func kernels(b *testing.B) Kernels {
	k, err := ParseKernels(os.Getenv("BENCHHISTORY_KERNELS"))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkHash(b *testing.B) {
	k := kernels(b)
	for _, n := range []int{1024, 4096} {
		data := make([]uint64, n)
		for i := range data {
			data[i] = uint64(i) * 0x9e3779b97f4a7c15
		}
		b.Run("words="+itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sinkU += Hash(data, k.HashRounds)
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	k := kernels(b)
	src := make([]byte, 4096)
	for i := range src {
		src[i] = byte(i * 7)
	}
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		Encode(dst, src, k.EncodePasses)
	}
}

func BenchmarkChecksum(b *testing.B) {
	k := kernels(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, buf := Checksum(byte(i), k.ScratchAlloc)
		sinkI += s
		sinkBuf = buf
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

func TestParseKernels(t *testing.T) {
	k, err := ParseKernels("hash=slow, encode=fast,scratch=alloc")
	if err != nil || k.HashRounds != 13 || k.EncodePasses != 7 || !k.ScratchAlloc {
		t.Fatalf("ParseKernels = %+v, %v", k, err)
	}
	if _, err := ParseKernels("hash=turbo"); err == nil {
		t.Fatal("unknown variant accepted")
	}
}
