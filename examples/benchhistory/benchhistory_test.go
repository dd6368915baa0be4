package benchhistory

import (
	"os"
	"syscall"
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

// cpuTime is the CPU time (user + system) this process has used, every thread
// included (the garbage collector's too).
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// reportCPU adds a cpu-ns/op metric: the process's CPU time over the b.N loop
// that started at start.  Unlike ns/op (wall time), it does not count the time
// the benchmark waited for a CPU while other programs ran.
func reportCPU(b *testing.B, start int64) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkHash(b *testing.B) {
	k := kernels(b)
	for _, n := range []int{1024, 4096} {
		data := make([]uint64, n)
		for i := range data {
			data[i] = uint64(i) * 0x9e3779b97f4a7c15
		}
		b.Run("words="+itoa(n), func(b *testing.B) {
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				sinkU += Hash(data, k.HashRounds)
			}
			reportCPU(b, start)
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
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		Encode(dst, src, k.EncodePasses)
	}
	reportCPU(b, start)
}

func BenchmarkChecksum(b *testing.B) {
	k := kernels(b)
	b.ReportAllocs()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		s, buf := Checksum(byte(i), k.ScratchAlloc)
		sinkI += s
		sinkBuf = buf
	}
	reportCPU(b, start)
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
