package zipguard

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"runtime"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
)

// deflate returns the raw deflate stream of data.
func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawZip writes one entry whose header declares what the test says,
// whatever the data holds.
func rawZip(t testing.TB, name string, compressed []byte, declared uint64, crc uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc,
		CompressedSize64:   uint64(len(compressed)),
		UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(compressed); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func honestZip(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHonestContainerReads(t *testing.T) {
	body := bytes.Repeat([]byte("<w:p>计划</w:p>"), 1000)
	data := honestZip(t, map[string][]byte{"word/document.xml": body, "[Content_Types].xml": []byte("<Types/>")})
	zr, err := OpenBytes(data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyAll(zr); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(Find(zr, "word/document.xml"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes, want %d", len(got), len(body))
	}
	if Find(zr, "missing.xml") != nil {
		t.Fatal("Find returned an entry that is not there")
	}
}

func wantRefused(t *testing.T, err error, sentinel error, code apperr.Code) {
	t.Helper()
	if err == nil {
		t.Fatal("accepted, want refused")
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want %v", err, sentinel)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("code %s, want %s", got, code)
	}
	if e := apperr.As(err); e == nil || e.Message == "" {
		t.Fatalf("no user message on %v", err)
	}
}

func TestDeclaredSizesRefusedBeforeInflating(t *testing.T) {
	small := deflate(t, make([]byte, 1<<20))
	cases := []struct {
		name     string
		declared uint64
		lim      Limits
		sentinel error
	}{
		{"entry over limit", 1 << 30, DefaultLimits, ErrTooLarge},
		{"ratio", 2 << 20, Limits{MaxRatio: 100, RatioFloor: 1 << 20}, ErrRatio},
		{"total", 10 << 20, Limits{MaxTotal: 8 << 20}, ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := rawZip(t, "xl/worksheets/sheet1.xml", small, c.declared, 0)
			_, err := OpenBytes(data, c.lim)
			wantRefused(t, err, c.sentinel, apperr.TooLarge)
		})
	}
	t.Run("entries", func(t *testing.T) {
		files := map[string][]byte{}
		for i := range 30 {
			files[string(rune('a'+i%26))+string(rune('0'+i/26))] = []byte("x")
		}
		_, err := OpenBytes(honestZip(t, files), Limits{MaxEntries: 20})
		wantRefused(t, err, ErrTooMany, apperr.TooLarge)
	})
	t.Run("not a zip", func(t *testing.T) {
		_, err := OpenBytes([]byte("这不是一个压缩包"), DefaultLimits)
		wantRefused(t, err, ErrNotZip, apperr.Invalid)
	})
}

// A real bomb: 1 GiB of zeros, about 1 MB deflated, declared honestly. It is
// refused from its header: the test's own allocations stay far below the
// inflated size.
func TestRealBombRefusedCheaply(t *testing.T) {
	chunk := make([]byte, 1<<20)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	for range 1024 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if len(data) > 4<<20 {
		t.Fatalf("bomb is %d bytes, expected about 1 MB", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = OpenBytes(data, DefaultLimits)
	runtime.ReadMemStats(&after)
	wantRefused(t, err, ErrTooLarge, apperr.TooLarge)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 100<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", grew)
	}
}

func TestUnderstatedSizeIsAnError(t *testing.T) {
	body := bytes.Repeat([]byte("<row/>"), 100000) // 600 KB
	data := rawZip(t, "xl/worksheets/sheet1.xml", deflate(t, body), 1000, crc32.ChecksumIEEE(body[:1000]))
	zr, err := OpenBytes(data, DefaultLimits)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := ReadFile(zr.File[0], 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadFile: %v, want ErrCorrupt", err)
	}
	if err := VerifyAll(zr); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("VerifyAll: %v, want ErrCorrupt", err)
	}
}

func TestOverstatedSizeIsAnError(t *testing.T) {
	body := []byte("<sheetData><row r=\"1\"/></sheetData>")
	data := rawZip(t, "xl/worksheets/sheet1.xml", deflate(t, body), uint64(len(body))+10, crc32.ChecksumIEEE(body))
	zr, err := OpenBytes(data, DefaultLimits)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := ReadFile(zr.File[0], 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadFile: %v, want ErrCorrupt", err)
	}
	if err := VerifyAll(zr); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("VerifyAll: %v, want ErrCorrupt", err)
	}
}

func TestBadCRCIsAnError(t *testing.T) {
	body := bytes.Repeat([]byte("<c><v>1</v></c>"), 500)
	data := rawZip(t, "xl/worksheets/sheet1.xml", deflate(t, body), uint64(len(body)), crc32.ChecksumIEEE(body)^1)
	zr, err := OpenBytes(data, DefaultLimits)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := ReadFile(zr.File[0], 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadFile: %v, want ErrCorrupt", err)
	}
	if err := VerifyAll(zr); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("VerifyAll: %v, want ErrCorrupt", err)
	}
}

func TestReadFileLimit(t *testing.T) {
	body := bytes.Repeat([]byte("a"), 5000)
	zr, err := OpenBytes(honestZip(t, map[string][]byte{"a.xml": body}), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(zr.File[0], 4000); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadFile over the caller's limit: %v, want an error", err)
	}
	got, err := ReadFile(zr.File[0], 5000)
	if err != nil || len(got) != 5000 {
		t.Fatalf("ReadFile at the limit: %d bytes, %v", len(got), err)
	}
}

func TestTruncatedContainer(t *testing.T) {
	data := honestZip(t, map[string][]byte{"a.xml": bytes.Repeat([]byte("数据"), 10000)})
	_, err := OpenBytes(data[:len(data)/2], DefaultLimits)
	wantRefused(t, err, ErrNotZip, apperr.Invalid)
}

func BenchmarkRefuseBomb(b *testing.B) {
	chunk := make([]byte, 1<<20)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	for range 1024 {
		w.Write(chunk)
	}
	zw.Close()
	data := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		if _, err := OpenBytes(data, DefaultLimits); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}
