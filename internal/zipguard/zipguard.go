// Package zipguard opens zip containers (.docx, .xlsx) from untrusted uploads
// with bounded cost: it refuses a container whose central directory declares
// too many entries, too large an entry, too large a total or too high a
// compression ratio before anything is inflated, and it reads entries through
// a limit that also checks the actual size and CRC against the declared ones.
//
// A size-understating entry (one that inflates past its declared size) or a
// damaged one (CRC mismatch, truncated data) is an error, never a short read:
// callers such as the registry import must not report a partial read as
// success (issue 9), and a .docx bomb must be refused in well under a second
// (issue 7).
package zipguard

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/luoshi/luoshi/internal/apperr"
)

// Limits bound what a container may declare and inflate to.
type Limits struct {
	// MaxEntries is the most entries the central directory may list.
	MaxEntries int
	// MaxEntrySize is the largest declared uncompressed size of one entry.
	MaxEntrySize int64
	// MaxTotal is the largest sum of declared uncompressed sizes.
	MaxTotal int64
	// MaxRatio is the largest uncompressed/compressed ratio of an entry
	// whose uncompressed size is over RatioFloor; office XML compresses
	// about 10–30×, bombs 1000× and more.
	MaxRatio int64
	// RatioFloor exempts small entries from the ratio check: a 200 KB run
	// of identical cells may compress 500× and is harmless.
	RatioFloor int64
}

// DefaultLimits suit office documents of a plan or a registry import: at most
// 2,000 parts, 64 MiB per part, 96 MiB in all, ratio 200 above 1 MiB.
var DefaultLimits = Limits{
	MaxEntries:   2000,
	MaxEntrySize: 64 << 20,
	MaxTotal:     96 << 20,
	MaxRatio:     200,
	RatioFloor:   1 << 20,
}

// Errors returned (wrapped in an *apperr.Error) by Open and ReadFile.
var (
	ErrNotZip      = errors.New("zipguard: not a zip container")
	ErrTooMany     = errors.New("zipguard: too many entries")
	ErrTooLarge    = errors.New("zipguard: entry or total too large")
	ErrRatio       = errors.New("zipguard: compression ratio too high")
	ErrCorrupt     = errors.New("zipguard: entry damaged or size mismatch")
	ErrUnsupported = errors.New("zipguard: unsupported entry")
)

func refuse(code apperr.Code, sentinel error, format string, args ...any) error {
	return &apperr.Error{Code: code, Message: fmt.Sprintf(format, args...), Err: sentinel}
}

// Open reads the central directory of the container in ra and checks the
// declared sizes against lim. Nothing is inflated.
func Open(ra io.ReaderAt, size int64, lim Limits) (*zip.Reader, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, refuse(apperr.Invalid, fmt.Errorf("%w: %v", ErrNotZip, err),
			"文件不是有效的 Office 文档（zip 结构损坏）")
	}
	if lim.MaxEntries > 0 && len(zr.File) > lim.MaxEntries {
		return nil, refuse(apperr.TooLarge, ErrTooMany,
			"文件包含 %d 个部件，超过上限 %d", len(zr.File), lim.MaxEntries)
	}
	var total uint64
	for _, f := range zr.File {
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, refuse(apperr.Invalid, ErrUnsupported,
				"文件部件 %s 使用了不支持的压缩方式", f.Name)
		}
		u := f.UncompressedSize64
		if lim.MaxEntrySize > 0 && u > uint64(lim.MaxEntrySize) {
			return nil, refuse(apperr.TooLarge, ErrTooLarge,
				"文件部件 %s 解压后 %d 字节，超过上限 %d 字节", f.Name, u, lim.MaxEntrySize)
		}
		total += u
		if lim.MaxTotal > 0 && total > uint64(lim.MaxTotal) {
			return nil, refuse(apperr.TooLarge, ErrTooLarge,
				"文件解压后超过 %d 字节上限", lim.MaxTotal)
		}
		if lim.MaxRatio > 0 && u > uint64(lim.RatioFloor) {
			c := f.CompressedSize64
			if c == 0 || u/c > uint64(lim.MaxRatio) {
				return nil, refuse(apperr.TooLarge, ErrRatio,
					"文件部件 %s 压缩比异常（疑似压缩炸弹），已拒绝", f.Name)
			}
		}
	}
	return zr, nil
}

// OpenBytes is Open over an in-memory upload.
func OpenBytes(data []byte, lim Limits) (*zip.Reader, error) {
	return Open(bytes.NewReader(data), int64(len(data)), lim)
}

// ReadFile inflates f, refusing more than max bytes (0: its declared size)
// and any entry whose actual size or CRC differs from the declared one.
func ReadFile(f *zip.File, max int64) ([]byte, error) {
	if max <= 0 || uint64(max) > f.UncompressedSize64 {
		max = int64(f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, refuse(apperr.Invalid, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err),
			"文件部件 %s 无法读取", f.Name)
	}
	defer rc.Close()
	// One byte past the limit tells an understated size from an exact one;
	// archive/zip itself reports a size or CRC mismatch at the end.
	buf := bytes.NewBuffer(make([]byte, 0, min(max, 1<<20)+1))
	n, err := io.Copy(buf, io.LimitReader(rc, max+1))
	// n ≤ max means the entry itself ended, and archive/zip checked its size
	// and CRC at that end; one byte more is a size the caller refuses.
	if err == nil && n > max {
		err = errors.New("longer than allowed")
	}
	if err != nil {
		return nil, refuse(apperr.Invalid, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err),
			"文件部件 %s 已损坏或大小与声明不符", f.Name)
	}
	return buf.Bytes(), nil
}

// VerifyAll inflates every entry to nowhere, checking sizes and CRCs, so a
// damaged container is refused before a reader that tolerates damage (such as
// a spreadsheet library returning the rows it could read) sees it.
func VerifyAll(zr *zip.Reader) error {
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if err := verify(f); err != nil {
			return err
		}
	}
	return nil
}

func verify(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return refuse(apperr.Invalid, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err),
			"文件部件 %s 无法读取", f.Name)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err == nil && uint64(n) != f.UncompressedSize64 {
		err = errors.New("size differs from declared")
	}
	if err != nil {
		return refuse(apperr.Invalid, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err),
			"文件部件 %s 已损坏或大小与声明不符", f.Name)
	}
	return nil
}

// Find returns the entry named name, or nil.
func Find(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}
