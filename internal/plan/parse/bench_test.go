package parse

import (
	"bytes"
	"testing"
)

// BenchmarkParseSeed measures parsing the demo plan (16 KB of text):
// go test -bench ParseSeed -benchmem ./internal/plan/parse
func BenchmarkParseSeed(b *testing.B) {
	data := readFixture(b, "seed.txt")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("seed.txt", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLarge measures a 1.6 MB plan (the seed's items repeated
// 100 times), to show that time grows linearly with size.
func BenchmarkParseLarge(b *testing.B) {
	seed := readFixture(b, "seed.txt")
	data := bytes.Repeat(seed, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Parse("large.txt", data)
	}
}
