package parse

import (
	"strings"

	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/parse/target"
)

// columns are the roles of a task table's columns; -1 when absent.
type columns struct {
	no, title, measures, lead, co, due int
}

// headerColumns recognises a header row by its column names (序号, 工作事项,
// 工作举措及进度安排, 牵头单位, 配合单位, 完成时限 and their variants).
func headerColumns(cells []string) (columns, bool) {
	c := columns{-1, -1, -1, -1, -1, -1}
	resp := -1 // 责任单位: the lead when no column is called 牵头
	found := 0
	for i, cell := range cells {
		h := squeeze(foldString(cell))
		if h == "" || runeLen(h) > 16 {
			continue
		}
		role := &resp
		switch {
		case h == "序号" || h == "编号" || h == "序" || h == "No." || h == "No":
			role = &c.no
		case containsAny(h, "配合", "协同", "协办", "参与"):
			role = &c.co
		case containsAny(h, "牵头", "主要责任", "主责"):
			role = &c.lead
		case containsAny(h, "责任单位", "责任部门", "责任科室", "承办单位", "实施单位"):
			role = &resp
		case containsAny(h, "时限", "时间", "节点", "期限", "日期"):
			role = &c.due
		case containsAny(h, "举措", "措施", "进度", "内容", "目标", "要求", "安排", "路径"):
			role = &c.measures
		case containsAny(h, "事项", "任务", "名称", "工作", "项目"):
			role = &c.title
		default:
			continue
		}
		if *role < 0 {
			*role = i
			found++
		}
	}
	if resp >= 0 {
		if c.lead < 0 {
			c.lead = resp
		} else if c.co < 0 {
			c.co = resp
		}
	}
	return c, found >= 2 && (c.title >= 0 || c.measures >= 0)
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// rowNumber returns the number of a 序号 cell: 1, 1., （1）, 一.
func rowNumber(s string) (int, bool) {
	t := strings.Trim(squeeze(foldString(s)), ".、()")
	if t == "" || runeLen(t) > 3 {
		return 0, false
	}
	rs := []rune(t)
	for _, r := range rs {
		if !isDigit(r) {
			return cnNumber(rs)
		}
	}
	n := atoi(rs)
	return n, n > 0
}

// tableTasks turns the numbered rows of a table into key items.
func tableTasks(rows [][]string, year int, opt Options) []plan.Task {
	cell := func(r []string, i int) string {
		if i < 0 || i >= len(r) {
			return ""
		}
		return r[i]
	}
	cols, start := columns{-1, -1, -1, -1, -1, -1}, -1
	for i, r := range rows {
		if i > 5 {
			break
		}
		if c, ok := headerColumns(r); ok {
			cols, start = c, i+1
			break
		}
	}
	if start < 0 {
		// No header: 序号 | 事项 | 举措 by position, when rows are numbered.
		numbered := 0
		for _, r := range rows {
			if _, ok := rowNumber(cell(r, 0)); ok && len(r) >= 2 {
				numbered++
			}
		}
		if numbered < 2 {
			return nil
		}
		cols, start = columns{0, 1, -1, -1, -1, -1}, 0
		if len(rows[0]) >= 3 {
			cols.measures = 2
		}
	}
	var out []plan.Task
	var measureText []string // per task
	for _, r := range rows[start:] {
		no, numbered := rowNumber(cell(r, cols.no))
		if cols.no < 0 {
			no, numbered = len(out)+1, cell(r, cols.title) != ""
		}
		title := cleanLine(strings.ReplaceAll(cell(r, cols.title), "\n", " "))
		meas := cell(r, cols.measures)
		if !numbered {
			// A row continuing the task above (merged 序号 and 事项 cells).
			if cell(r, cols.no) == "" && title == "" && meas != "" && len(out) > 0 {
				measureText[len(out)-1] += "\n" + meas
			}
			continue
		}
		if title == "" && meas == "" {
			continue
		}
		t := plan.Task{Kind: plan.KindKeyItem, No: no, Title: title}
		t.LeadUnits = splitUnits(cell(r, cols.lead))
		t.CoUnits = splitUnits(cell(r, cols.co))
		if d := cell(r, cols.due); d != "" {
			t.Due, t.DueText = findDue(d, year, true)
		}
		out = append(out, t)
		measureText = append(measureText, meas)
	}
	for i := range out {
		t := &out[i]
		t.Text = measureText[i]
		t.Measures = splitMeasures(t.Text, year)
		if t.Title == "" {
			t.Title = firstSentence(strings.ReplaceAll(t.Text, "\n", ""))
		}
		t.Units = findUnits(t.Title+"\n"+t.Text, opt.KnownUnits)
		t.Targets = nonNil(target.Extract(t.Title + "。" + t.Text))
	}
	return out
}

func nonNil(ts []plan.Target) []plan.Target {
	if ts == nil {
		return []plan.Target{}
	}
	return ts
}

// Marker styles of measures inside a cell.
const (
	styleDot    = iota + 1 // 1. 1、 1．
	styleParen             // （1）
	styleCircle            // ①
)

// measureWords follow a number that is a quantity, not a list number
// missing its dot: 3项, 2个.
const measureWords = "项个家亿万元年月日次支名人所批条座户亩台套件篇场期届号级天周倍米吨千百十余多%"

// splitMeasures splits a cell of measures at its list numbers: 1. 2. / 1、 /
// ①② / （1）. A number missing its dot (“；2指导…”) counts only where the
// next number is due and right after a clause end. Text before the first
// number is not a measure. An unnumbered cell of several paragraphs gives a
// measure per paragraph; of one, a single measure.
func splitMeasures(text string, year int) []plan.Measure {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	rs := []rune(text)
	fs := []rune(foldString(text))
	prevRune := func(i int) rune {
		for i--; i >= 0; i-- {
			if fs[i] != ' ' {
				return fs[i]
			}
		}
		return 0
	}
	boundary := func(i int) bool {
		switch prevRune(i) {
		case 0, '\n', ';', '。', ',', ':', '.', '!', '?', ')', '、':
			return true
		}
		return false
	}
	digitsAt := func(i int) (n, end int) {
		j := i
		for j < len(fs) && j-i < 3 && isDigit(fs[j]) {
			j++
		}
		if j == i || j < len(fs) && isDigit(fs[j]) || i > 0 && isDigit(fs[i-1]) {
			return 0, i
		}
		return atoi(fs[i:j]), j
	}
	// markerAt returns the end of the marker for number n at i.
	markerAt := func(i, n, style int) (int, int, bool) {
		if i >= len(fs) || !boundary(i) {
			return 0, 0, false
		}
		if (style == 0 || style == styleCircle) && n <= 20 && rs[i] == rune('①'+n-1) {
			return i + 1, styleCircle, true
		}
		if (style == 0 || style == styleParen) && fs[i] == '(' {
			if k, j := digitsAt(i + 1); k == n && j < len(fs) && fs[j] == ')' {
				return j + 1, styleParen, true
			}
		}
		if style == 0 || style == styleDot {
			k, j := digitsAt(i)
			if k != n || j >= len(fs) {
				return 0, 0, false
			}
			if fs[j] == '、' || fs[j] == '.' && (j+1 >= len(fs) || !isDigit(fs[j+1])) { // not 1.5
				return j + 1, styleDot, true
			}
			if style == styleDot && n >= 2 && isHan(fs[j]) && !strings.ContainsRune(measureWords, fs[j]) {
				switch prevRune(i) {
				case ';', '。', '\n':
					return j, styleDot, true
				}
			}
		}
		return 0, 0, false
	}

	type span struct{ a, b int } // text of a measure
	var spans []span
	style, n, textStart := 0, 1, -1
	for i := 0; i < len(fs); i++ {
		end, st, ok := markerAt(i, n, style)
		if !ok {
			continue
		}
		if textStart >= 0 {
			spans = append(spans, span{textStart, i})
		}
		style, textStart = st, end
		n++
		i = end - 1
	}
	if textStart >= 0 {
		spans = append(spans, span{textStart, len(rs)})
	}
	if len(spans) == 0 {
		var out []plan.Measure
		for _, p := range strings.Split(text, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, newMeasure(len(out)+1, p, year))
			}
		}
		return out
	}
	out := make([]plan.Measure, 0, len(spans))
	for k, s := range spans {
		out = append(out, newMeasure(k+1, string(rs[s.a:s.b]), year))
	}
	return out
}

func newMeasure(no int, text string, year int) plan.Measure {
	text = trimEndPunct(strings.TrimSpace(strings.ReplaceAll(text, "\n", "")))
	m := plan.Measure{No: no, Text: text}
	if t, note, ok := doneNote(text); ok {
		m.Text, m.Done, m.DoneNote = t, true, note
	}
	m.Due, m.DueText = findDue(m.Text, year, false)
	return m
}

// doneNote splits a status note such as (已完成) or (2022年12月已完成,顺利
// 通过答辩) from the end of a measure.
func doneNote(s string) (text, note string, ok bool) {
	rs := []rune(s)
	if len(rs) < 3 {
		return s, "", false
	}
	closeR := fold(rs[len(rs)-1])
	var openR rune
	switch closeR {
	case ')':
		openR = '('
	case ']':
		openR = '['
	default:
		return s, "", false
	}
	depth := 0
	for i := len(rs) - 1; i >= 0; i-- {
		switch fold(rs[i]) {
		case closeR:
			depth++
		case openR:
			depth--
			if depth == 0 {
				inner := strings.TrimSpace(string(rs[i+1 : len(rs)-1]))
				if !isDoneNote(inner) {
					return s, "", false
				}
				return trimEndPunct(strings.TrimSpace(string(rs[:i]))), inner, true
			}
		}
	}
	return s, "", false
}

var doneWords = []string{"已办结", "已落实", "已建成", "已印发", "已出台", "已全部完成", "已全面完成"}

func isDoneNote(s string) bool {
	if runeLen(s) > 60 {
		return false
	}
	f := foldString(s)
	for _, clause := range strings.FieldsFunc(f, func(r rune) bool { return r == ',' || r == ';' || r == '。' }) {
		if strings.Contains(clause, "未") || strings.Contains(clause, "尚") {
			continue
		}
		if strings.Contains(clause, "已完成") || containsAny(clause, doneWords...) {
			return true
		}
	}
	return false
}
