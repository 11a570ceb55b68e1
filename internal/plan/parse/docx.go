package parse

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/zipguard"
)

// msgDocxDamaged is the message for a part that does not inflate as its
// header declares.
const msgDocxDamaged = "Word 文档已损坏:文件部件解压后的大小或校验和与声明不符(或为压缩炸弹),已拒绝"

// maxXML bounds the uncompressed size of a part read from a .docx.
const maxXML = 64 << 20

// docxLimits bound what a .docx may declare before anything is inflated
// (issue 7: a 1 MB file inflating to 1 GiB took 18 s and 1 GB). A plan's
// document.xml is a few MB; the ratio check catches bombs whose declared
// sizes are honest, and archive/zip stops an entry that inflates past the
// size it declared.
var docxLimits = zipguard.Limits{
	MaxEntries:   2000,
	MaxEntrySize: maxXML,
	MaxTotal:     96 << 20,
	MaxRatio:     200,
	RatioFloor:   1 << 20,
}

// docxBlocks reads the paragraphs and tables of word/document.xml. List
// numbers that Word generates (w:numPr) are written out, so that an
// automatically numbered 1. 2. reads as it is displayed.
func docxBlocks(data []byte) ([]block, error) {
	zr, err := zipguard.OpenBytes(data, docxLimits)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.TooLarge {
			return nil, &Error{Err: ErrTooLarge, Message: e.Message, Detail: err}
		}
		return nil, fmt.Errorf("zip: %w", err)
	}
	var doc, numbering *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			doc = f
		case "word/numbering.xml":
			numbering = f
		}
	}
	if doc == nil {
		return nil, errors.New("no word/document.xml")
	}
	nums := readNumbering(numbering)

	rc, err := doc.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxXML))
	dec.Strict = false
	var (
		b                    builder
		inText, inPPr, inNum bool
		numID, ilvl          string
		tokens               int
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
				// The part inflates past its declared size or is
				// damaged: a bomb that understates, or a broken file.
				return nil, &Error{Err: ErrFormat, Message: msgDocxDamaged, Detail: err}
			}
			if err == io.EOF || tokens > 0 {
				break // keep what was read from a truncated document
			}
			return nil, fmt.Errorf("xml: %w", err)
		}
		tokens++
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				b.br()
				numID, ilvl = "", "0"
			case "pPr":
				inPPr = true
			case "numPr":
				inNum = inPPr
			case "numId":
				if inNum {
					numID = attr(t, "val")
				}
			case "ilvl":
				if inNum {
					ilvl = attr(t, "val")
				}
			case "t":
				inText = true
			case "tab":
				if !inPPr {
					b.text(" ")
				}
			case "br", "cr":
				b.br()
			case "tbl":
				b.startTable()
			case "tr":
				b.startRow()
			case "tc":
				b.startCell()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p":
				b.br()
			case "pPr":
				inPPr = false
				if numID != "" {
					b.text(nums.next(numID, ilvl))
				}
			case "numPr":
				inNum = false
			case "t":
				inText = false
			case "tbl":
				b.endTable()
			case "tc":
				b.br()
			}
		case xml.CharData:
			if inText {
				b.text(string(t))
			}
		}
	}
	return b.finish(), nil
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// numLevel is one level of a Word list definition.
type numLevel struct {
	format string // numFmt: decimal, chineseCounting, …
	text   string // lvlText, e.g. "%1." or "（%1）"
	start  int
}

// numbering holds the list definitions of numbering.xml and the counters of
// the lists met so far.
type numbering struct {
	abstract map[string]map[int]numLevel // abstractNumId → ilvl → level
	nums     map[string]string           // numId → abstractNumId
	counters map[string]*[9]int          // numId → counters per level
}

func readNumbering(f *zip.File) *numbering {
	n := &numbering{abstract: map[string]map[int]numLevel{}, nums: map[string]string{}, counters: map[string]*[9]int{}}
	if f == nil {
		return n
	}
	rc, err := f.Open()
	if err != nil {
		return n
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxXML))
	dec.Strict = false
	var absID, numID string
	lvl := -1
	for {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch t.Name.Local {
		case "abstractNum":
			absID, numID = attr(t, "abstractNumId"), ""
			if n.abstract[absID] == nil && len(n.abstract) < 1000 {
				n.abstract[absID] = map[int]numLevel{}
			}
		case "num":
			numID, absID = attr(t, "numId"), ""
		case "abstractNumId":
			if numID != "" && len(n.nums) < 10000 {
				n.nums[numID] = attr(t, "val")
			}
		case "lvl":
			lvl, _ = strconv.Atoi(attr(t, "ilvl"))
			if m := n.abstract[absID]; m != nil && lvl >= 0 && lvl < 9 {
				m[lvl] = numLevel{start: 1}
			}
		case "start", "numFmt", "lvlText":
			m := n.abstract[absID]
			if m == nil || lvl < 0 || lvl >= 9 {
				continue
			}
			l := m[lvl]
			v := attr(t, "val")
			switch t.Name.Local {
			case "start":
				if s, err := strconv.Atoi(v); err == nil && s >= 0 && s < 1000 {
					l.start = s
				}
			case "numFmt":
				l.format = v
			case "lvlText":
				l.text = v
			}
			m[lvl] = l
		}
	}
}

// next advances list numID at level ilvl and returns the label Word shows.
func (n *numbering) next(numID, ilvl string) string {
	lv, err := strconv.Atoi(ilvl)
	if err != nil || lv < 0 || lv >= 9 {
		return ""
	}
	levels := n.abstract[n.nums[numID]]
	if levels == nil {
		return ""
	}
	c := n.counters[numID]
	if c == nil {
		if len(n.counters) > 10000 {
			return ""
		}
		c = new([9]int)
		n.counters[numID] = c
	}
	if c[lv] == 0 {
		c[lv] = levels[lv].start
	} else {
		c[lv]++
	}
	for i := lv + 1; i < 9; i++ {
		c[i] = 0
	}
	text := levels[lv].text
	if text == "" || levels[lv].format == "bullet" || levels[lv].format == "none" {
		return ""
	}
	var sb strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '%' && i+1 < len(text) && text[i+1] >= '1' && text[i+1] <= '9' {
			k := int(text[i+1] - '1')
			v := c[k]
			if v == 0 {
				v = levels[k].start
			}
			sb.WriteString(formatNum(v, levels[k].format))
			i++
			continue
		}
		sb.WriteByte(text[i])
	}
	return sb.String()
}

func formatNum(v int, format string) string {
	switch format {
	case "chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional":
		if s := cnNumeral(v); s != "" {
			return s
		}
	case "decimalEnclosedCircle", "decimalEnclosedCircleChinese":
		if v >= 1 && v <= 20 {
			return string(rune('①' + v - 1))
		}
	case "decimalFullWidth", "decimalFullWidth2":
		return strings.Map(func(r rune) rune { return r - '0' + '０' }, strconv.Itoa(v))
	}
	return strconv.Itoa(v)
}

// cnNumeral writes 1…99 as a Chinese numeral.
func cnNumeral(v int) string {
	const d = "〇一二三四五六七八九"
	ds := []rune(d)
	switch {
	case v <= 0 || v >= 100:
		return ""
	case v < 10:
		return string(ds[v])
	case v == 10:
		return "十"
	case v < 20:
		return "十" + string(ds[v-10])
	case v%10 == 0:
		return string(ds[v/10]) + "十"
	}
	return string(ds[v/10]) + "十" + string(ds[v%10])
}
