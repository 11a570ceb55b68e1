package parse

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
)

// bombSegment is the repeated content: Word paragraphs, so that an XML
// reader would keep reading them.
const bombSegment = 12 << 20 // a multiple of len("<w:p/>")

// deflateBomb returns a raw deflate stream of n segments of "<w:p/>…" (n ≥ 3)
// without compressing them all: after a sync flush the compressor emits the
// same bytes for each further identical segment, so the stream is the first
// two flushed segments, the second repeated, and a final empty block.
func deflateBomb(t testing.TB, n int) (stream []byte, crc uint32, size int64) {
	t.Helper()
	seg := bytes.Repeat([]byte("<w:p/>"), bombSegment/6)
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	var parts [][]byte
	for range 3 {
		start := out.Len()
		w.Write(seg)
		w.Flush()
		parts = append(parts, bytes.Clone(out.Bytes()[start:]))
	}
	if !bytes.Equal(parts[1], parts[2]) {
		t.Fatal("deflate segments differ: cannot build the bomb cheaply")
	}
	var b bytes.Buffer
	b.Write(parts[0])
	for range n - 1 {
		b.Write(parts[1])
	}
	start := out.Len()
	w.Close()
	b.Write(out.Bytes()[start:])
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, seg)
	}
	return b.Bytes(), crc, int64(n) * bombSegment
}

// docxBomb wraps a deflate stream as word/document.xml of a .docx that
// declares uncompressed bytes.
func docxBomb(t testing.TB, stream []byte, crc uint32, declared int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(stream)), UncompressedSize64: uint64(declared)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(stream)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDocxBombRefused: a 1 MB .docx whose document.xml inflates to 1 GiB
// is refused with a Chinese message before it is inflated, whether it
// declares its size (ratio and size limits) or understates it (archive/zip
// stops at the declared size); allocation stays far under 100 MB
// (issue 7, item 7).
func TestDocxBombRefused(t *testing.T) {
	stream, crc, size := deflateBomb(t, 86) // 86 × 12 MiB ≈ 1 GiB
	if size < 1<<30 || len(stream) > 2<<20 {
		t.Fatalf("bomb: %d bytes inflating to %d", len(stream), size)
	}
	for _, tc := range []struct {
		name     string
		declared int64
		want     error
		msg      string
	}{
		{"declared", size, ErrTooLarge, "解压后"},
		{"understated", 1 << 20, ErrFormat, "已损坏"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := docxBomb(t, stream, crc, tc.declared)
			var err error
			n := allocated(func() { _, err = Parse("bomb.docx", data) })
			var pe *Error
			if !errors.As(err, &pe) || !errors.Is(err, tc.want) || !strings.Contains(pe.Message, tc.msg) {
				t.Fatalf("Parse(bomb) = %v, want %v with %q", err, tc.want, tc.msg)
			}
			if n > 100<<20 {
				t.Errorf("refusing the bomb allocated %d MB, want < 100 MB", n>>20)
			}
			t.Logf("%s: %d-byte file refused (%s), %.1f MB allocated", tc.name, len(data), pe.Message, float64(n)/(1<<20))
		})
	}
}

// BenchmarkDocxBomb measures refusing the 1 GiB bomb:
//
//	go test -run '^$' -bench DocxBomb -benchmem ./internal/plan/parse
func BenchmarkDocxBomb(b *testing.B) {
	stream, crc, size := deflateBomb(b, 86)
	for _, tc := range []struct {
		name     string
		declared int64
	}{{"declared", size}, {"understated", 1 << 20}} {
		data := docxBomb(b, stream, crc, tc.declared)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse("bomb.docx", data); err == nil {
					b.Fatal("bomb parsed")
				}
			}
		})
	}
}
