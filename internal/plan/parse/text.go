package parse

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// decodeText returns the text of data: UTF-8 (with or without a BOM),
// UTF-16 with a BOM, or else GB18030 (which includes GBK and GB2312).
func decodeText(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		if out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data); err == nil {
			return strings.ToValidUTF8(string(out), "")
		}
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		if out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data); err == nil {
			return strings.ToValidUTF8(string(out), "")
		}
	}
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "")
	}
	return strings.ToValidUTF8(string(out), "")
}

// looksBinary reports whether data is not text: NUL bytes or many control
// characters near the start.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return false // UTF-16 has NULs
	}
	ctl := 0
	for _, c := range head {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctl++
		}
	}
	return ctl*20 > len(head)
}

// textBlocks splits plain text into paragraphs (one a line) and rebuilds the
// tables pasted from a web page or a word processor:
//
//   - one row a line, cells separated by | (or by two or more tabs), as in
//     “1|任务|措施”, with or without outer bars;
//   - one cell a line, as web pages paste: the first cell on its own line,
//     the next cells on lines starting with |, and a lone | ending the row.
func textBlocks(s string) []block {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	raw := strings.Split(s, "\n")
	lines := make([]string, 0, len(raw))
	for _, l := range raw {
		if t := strings.Trim(l, " \t"); strings.Count(t, "\t") >= 2 {
			l = strings.ReplaceAll(t, "\t", "|") // a row copied from a spreadsheet or a Word table
		}
		if l = clean(strings.Map(func(r rune) rune {
			if r == '｜' {
				return '|'
			}
			return r
		}, l)); l != "" {
			lines = append(lines, l)
		}
	}

	var out []block
	var table [][]string
	var row []string
	open := false // row continues on lines starting with |
	endRow := func() {
		if row != nil {
			if !allEmpty(row) {
				table = append(table, row)
			}
			row = nil
		}
		open = false
	}
	endTable := func() {
		endRow()
		if len(table) > 0 {
			out = append(out, block{rows: table})
			table = nil
		}
	}
	// startsBar reports whether line i continues a row cell by cell.
	startsBar := func(i int) bool {
		if i >= len(lines) || barOnly(lines[i]) {
			return false
		}
		l := lines[i]
		return strings.HasPrefix(l, "|") && !(strings.HasSuffix(l, "|") && strings.Count(l, "|") >= 3)
	}
	for i, l := range lines {
		switch {
		case barOnly(l):
			endRow()
		case strings.HasPrefix(l, "|"):
			full := strings.HasSuffix(l, "|") && strings.Count(l, "|") >= 3
			if open && !full {
				row = append(row, splitCells(l[1:])...)
				if strings.HasSuffix(l, "|") {
					endRow()
				}
				continue
			}
			endRow()
			row = splitCells(strings.Trim(l, "|"))
			if !full && startsBar(i+1) {
				open = true
			} else {
				endRow()
			}
		case strings.Contains(l, "|"):
			endRow()
			row = splitCells(l)
			if startsBar(i + 1) {
				open = true
			} else {
				endRow()
			}
		case open && !bareNumber(l) && nextBarWithin(lines, i+1, 20):
			// A cell's text running over several lines.
			row[len(row)-1] += "\n" + l
		case startsBar(i + 1):
			endRow()
			row = []string{l}
			open = true
		default:
			endTable()
			out = append(out, block{text: l})
		}
	}
	endTable()
	return out
}

func splitCells(s string) []string {
	parts := strings.Split(s, "|")
	for i, p := range parts {
		parts[i] = clean(p)
	}
	return parts
}

// barOnly reports lines made of bars, spaces and rule characters: the row
// ends and separators of pasted tables (“|”, “| ||”, “|---|---|”).
func barOnly(l string) bool {
	if !strings.Contains(l, "|") {
		return false
	}
	for _, r := range l {
		switch r {
		case '|', ' ', '-', ':', '+', '=':
		default:
			return false
		}
	}
	return true
}

func bareNumber(l string) bool {
	if l == "" || len(l) > 12 {
		return false
	}
	for _, r := range l {
		if r = fold(r); !isDigit(r) && r != '.' && r != '、' {
			return false
		}
	}
	return true
}

func nextBarWithin(lines []string, i, n int) bool {
	for j := i; j < len(lines) && j < i+n; j++ {
		if strings.Contains(lines[j], "|") {
			return strings.HasPrefix(lines[j], "|")
		}
	}
	return false
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}
