package parse

import (
	"strings"
)

// block is a paragraph or a table of the document, in reading order.
type block struct {
	text string     // a paragraph, cleaned; empty for a table
	rows [][]string // a table: rows of cleaned cell texts (a cell may hold "\n")
}

func (b block) isTable() bool { return b.rows != nil }

// maxTableDepth bounds nested tables (web pages nest layout tables); deeper
// table tags only break lines. It also bounds the copying of blocks from an
// inner layout table to its parent.
const maxTableDepth = 8

// container collects the paragraphs of the document or of one table cell.
type container struct {
	blocks []block
	line   strings.Builder
}

func (c *container) flush() {
	if c.line.Len() == 0 {
		return
	}
	s := clean(c.line.String())
	c.line.Reset()
	if s != "" {
		c.blocks = append(c.blocks, block{text: s})
	}
}

type tableBuild struct {
	rows   [][]*container
	nested bool // holds another table: a layout table
}

// builder turns the element events of a .docx or an HTML page into blocks.
type builder struct {
	doc     container
	tables  []*tableBuild
	ignored int // table starts beyond maxTableDepth not yet ended
}

func (b *builder) cur() *container {
	n := len(b.tables)
	if n == 0 {
		return &b.doc
	}
	t := b.tables[n-1]
	if len(t.rows) == 0 {
		t.rows = append(t.rows, nil)
	}
	r := &t.rows[len(t.rows)-1]
	if len(*r) == 0 {
		*r = append(*r, &container{})
	}
	return (*r)[len(*r)-1]
}

func (b *builder) text(s string) { b.cur().line.WriteString(s) }

// br ends the current line (paragraph).
func (b *builder) br() { b.cur().flush() }

func (b *builder) startTable() {
	b.br()
	if len(b.tables) >= maxTableDepth {
		b.ignored++
		return
	}
	if n := len(b.tables); n > 0 {
		b.tables[n-1].nested = true
	}
	b.tables = append(b.tables, &tableBuild{})
}

func (b *builder) endTable() {
	b.br()
	if b.ignored > 0 {
		b.ignored--
		return
	}
	n := len(b.tables)
	if n == 0 {
		return
	}
	t := b.tables[n-1]
	b.tables = b.tables[:n-1]
	out := t.render()
	p := b.cur()
	p.flush()
	p.blocks = append(p.blocks, out...)
}

func (b *builder) startRow() {
	b.br()
	if b.ignored > 0 || len(b.tables) == 0 {
		return
	}
	t := b.tables[len(b.tables)-1]
	t.rows = append(t.rows, nil)
}

func (b *builder) startCell() {
	b.br()
	if b.ignored > 0 || len(b.tables) == 0 {
		return
	}
	t := b.tables[len(b.tables)-1]
	if len(t.rows) == 0 {
		t.rows = append(t.rows, nil)
	}
	r := &t.rows[len(t.rows)-1]
	*r = append(*r, &container{})
}

// finish closes open tables and returns the document's blocks.
func (b *builder) finish() []block {
	b.ignored = 0
	for len(b.tables) > 0 {
		b.endTable()
	}
	b.doc.flush()
	return b.doc.blocks
}

// render turns a finished table into blocks: a data table becomes one table
// block; a layout table (nesting another, or a single column) gives up its
// cells' paragraphs.
func (t *tableBuild) render() []block {
	cols := 0
	for _, r := range t.rows {
		cols = max(cols, len(r))
	}
	if t.nested || cols <= 1 {
		var out []block
		for _, r := range t.rows {
			for _, c := range r {
				c.flush()
				out = append(out, c.blocks...)
			}
		}
		return out
	}
	rows := make([][]string, 0, len(t.rows))
	for _, r := range t.rows {
		cells := make([]string, len(r))
		empty := true
		for i, c := range r {
			c.flush()
			parts := make([]string, 0, len(c.blocks))
			for _, bl := range c.blocks {
				parts = append(parts, bl.text)
			}
			cells[i] = strings.Join(parts, "\n")
			if cells[i] != "" {
				empty = false
			}
		}
		if !empty {
			rows = append(rows, cells)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return []block{{rows: rows}}
}
