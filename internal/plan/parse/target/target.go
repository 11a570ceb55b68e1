// Package target finds quantitative targets (目标指标) in plan sentences.
//
// A target is a number with a unit (a measure word, money or percent) that
// something governs: a verb of achievement or change before it (达到, 突破,
// 新增, 增长, 实施, 引进, 建成 …), a marker (全年, 力争, 确保 …) or a
// qualifier after it (以上, 左右, 以内). Scope words (全市, 其中, 累计) do not
// govern: 全市共有高新技术企业150家 states a fact.
//
// Not targets: numbers in quotes or book titles (“科创29条”); dates and
// durations (年, 月, 日 are not units; 3个月); ordinals (第3批) and ranks
// (前10位); document numbers (〔2022〕2号); a count that sums up a list —
// a number right after 等, or followed by 个方面 (在…等10个方面攻坚任务取得
// 突破性进展 counts areas of work, no verb of achievement governs it); names
// holding numerals (八项规定, 两个确立, 十件大事, and a Chinese numeral with a
// measure word followed by another numeral: 六位一体, 两个一百年); and a bare
// Chinese 一 (一批, 一个, 一次性) unless a comparator verb or qualifier
// governs it. Numbers without a unit (二十大, 十四五, 三招三引, 三年行动)
// never are.
//
// The work is linear in the length of the text: every look-behind and
// look-ahead is bounded by a fixed window.
package target

import (
	"strings"
	"unicode"

	"github.com/luoshi/luoshi/internal/plan"
)

const (
	// prefixWindow bounds how far before a number its name and verbs are
	// looked for, in runes.
	prefixWindow = 64
	// nounWindow bounds a noun read after a number (50支高校人才团队).
	nounWindow = 12
	// maxSource is the longest clause kept whole as a source, in runes.
	// Longer ones (a run-on text without punctuation) give the words around
	// the number instead, so that output stays proportional to input.
	maxSource = 200
)

// Extract returns the targets stated in text, a paragraph or sentence of a
// plan, in order of appearance, each with its source clause. It never panics.
//
// The source is the clause holding the number: the sentence split on ，,；;。
// (and ：:！？!? and line breaks), trimmed of spaces, table bars and leading
// enumerators (1. 2、 （3）). A stretch value (达到X、争取达到Y; X，力争Y) is
// set on the base target, whose source then runs to the stretch clause.
func Extract(text string) []plan.Target {
	if text == "" {
		return nil
	}
	x := &extractor{rs: []rune(text)}
	x.quoted = quoteMask(x.rs)
	for _, s := range sentences(x.rs) {
		x.sentence(s)
	}
	return x.out
}

type span struct{ start, end int }

type extractor struct {
	rs     []rune
	quoted []bool
	out    []plan.Target
}

// quantity is a number with its unit as found in the text.
type quantity struct {
	start, numEnd int // the numeral (百分之 included)
	unitEnd       int // end of the unit: rs[start:unitEnd] is the display
	end           int // end of the qualifier, or unitEnd
	raw           float64
	value         float64 // in base units
	unit          string
	qual          plan.Comparator // from 以上, 左右, 以内 …, or 多/余
	chinese       bool
	stretch       *float64 // upper end of a range 100-120家
}

func (x *extractor) sentence(s span) {
	last := -1       // index in x.out of the last target of this sentence
	lastClause := -1 // start of its clause
	for _, c := range clauses(x.rs, s) {
		consumed := c.start
		for pos := c.start; pos < c.end; {
			q, next, ok := x.quantityAt(pos, c.end)
			if !ok {
				pos = next
				continue
			}
			pos = q.end
			if x.excluded(q, c) {
				continue
			}
			seg := x.segmentStart(c, consumed, q.start)
			occ := findWords(x.rs, seg, q.start)

			if last >= 0 && x.out[last].Stretch == nil && x.out[last].Unit == q.unit && x.isStretch(seg, q.start) {
				v := q.value
				x.out[last].Stretch = &v
				if lastClause != c.start && c.end-lastClause <= maxSource {
					x.out[last].Source = trimSource(x.rs[lastClause:c.end])
				}
				consumed = q.end
				continue
			}
			if !x.governed(q, c, occ) {
				continue
			}
			t := x.target(q, c, seg, occ, last)
			x.out = append(x.out, t)
			last, lastClause = len(x.out)-1, c.start
			consumed = q.end
		}
	}
}

// quantityAt reads a number and its unit at pos. When there is none it
// returns the position to go on from, past any numeral run.
func (x *extractor) quantityAt(pos, end int) (quantity, int, bool) {
	rs := x.rs[:end]
	q := quantity{start: pos}
	r := rs[pos]
	i := pos
	switch {
	case hasRunes(rs, pos, []rune("百分之")):
		i = pos + 3
		if i >= len(rs) {
			return q, i, false
		}
		var ok bool
		if isDigit(rs[i]) {
			var digits string
			q.numEnd, digits, ok = scanArabic(rs, i)
			if !ok {
				return q, q.numEnd, false
			}
			q.raw = arabicValue(digits, 1)
		} else if isCNStart(rs[i]) {
			q.numEnd = cnRun(rs, i)
			q.raw, ok = parseChinese(rs[i:q.numEnd])
			if !ok {
				return q, q.numEnd, false
			}
			q.chinese = true
		} else {
			return q, i, false
		}
		q.value, q.unit, q.unitEnd = q.raw, "%", q.numEnd
		q.end = x.qualifier(&q)
		return q, q.end, true
	case isDigit(r):
		e, digits, ok := scanArabic(rs, pos)
		if !ok {
			return q, e, false
		}
		q.numEnd = e
		q.raw = arabicValue(digits, 1)
		ue, base, factor, more, ok := matchUnit(rs, e)
		if !ok {
			if rq, ok := x.rangeAt(pos, e, end, digits); ok {
				return rq, rq.end, true
			}
			return q, e, false
		}
		q.unitEnd, q.unit = ue, base
		q.value = arabicValue(digits, factor)
		if more {
			q.qual = plan.MoreThan
		}
	case isCNStart(r):
		e := cnRun(rs, pos)
		v, ok := parseChinese(rs[pos:e])
		if !ok {
			return q, e, false
		}
		q.numEnd, q.raw, q.chinese = e, v, true
		ue, base, factor, more, ok := matchUnit(rs, e)
		if !ok {
			return q, e, false
		}
		q.unitEnd, q.unit, q.value = ue, base, v*factor
		if more {
			q.qual = plan.MoreThan
		}
	default:
		return q, pos + 1, false
	}
	q.end = x.qualifier(&q)
	return q, q.end, true
}

// rangeAt reads 100-120家, 100～120家 or 100至120家 at pos, where the first
// number (ending at e) has no unit: the value is the lower end, the stretch
// the upper one.
func (x *extractor) rangeAt(pos, e, end int, digits string) (quantity, bool) {
	rs := x.rs[:end]
	if e+1 >= len(rs) || !strings.ContainsRune("-–—~～至到", rs[e]) || !isDigit(rs[e+1]) {
		return quantity{}, false
	}
	e2, digits2, ok := scanArabic(rs, e+1)
	if !ok {
		return quantity{}, false
	}
	ue, base, factor, _, ok := matchUnit(rs, e2)
	if !ok {
		return quantity{}, false
	}
	lo, hi := arabicValue(digits, factor), arabicValue(digits2, factor)
	if hi <= lo {
		return quantity{}, false
	}
	q := quantity{start: pos, numEnd: e2, unitEnd: ue, raw: arabicValue(digits, 1),
		value: lo, unit: base, stretch: &hi}
	q.end = x.qualifier(&q)
	return q, true
}

// qualifier reads 以上, 左右, 以内 … after the unit and returns the end.
func (x *extractor) qualifier(q *quantity) int {
	i := q.unitEnd
	for i < len(x.rs) && x.rs[i] == ' ' {
		i++
	}
	for _, ql := range qualifiers {
		w := []rune(ql.text)
		if hasRunes(x.rs, i, w) {
			q.qual = ql.cmp
			return i + len(w)
		}
	}
	return q.unitEnd
}

// cnRun returns the end of the run of Chinese numerals starting at i.
func cnRun(rs []rune, i int) int {
	for i < len(rs) && isCNNumeral(rs[i]) {
		i++
	}
	return i
}

// excluded reports quantities that are not targets whatever governs them.
func (x *extractor) excluded(q quantity, c span) bool {
	rs := x.rs
	if x.quoted[q.start] {
		return true
	}
	if q.start > 0 {
		switch p := rs[q.start-1]; {
		case strings.ContainsRune("第前等〔[【号#-_/.．+", p):
			// 第3批 (ordinal), 前10位 (rank), 等10个方面 (a count summing
			// up a list), 〔2022〕 (document number), A-3, v.2.
			return true
		case p < unicode.MaxASCII && (unicode.IsLetter(p)):
			return true // R2, G20
		}
	}
	unitStart := q.numEnd
	for _, t := range sloganTails {
		if hasRunes(rs, unitStart, []rune(t)) {
			return true
		}
	}
	// 3人才, 5所有: the measure word begins another word.
	for _, t := range unitWordTails {
		if hasRunes(rs, unitStart, []rune(t)) {
			return true
		}
	}
	if q.unit == "个" {
		for _, t := range durationTails {
			if hasRunes(rs, q.unitEnd, []rune(t)) {
				return true
			}
		}
	}
	// 六位一体, 两个一百年: a Chinese numeral and a measure word followed by
	// another numeral make a slogan, not a count.
	if q.chinese && q.unitEnd < len(rs) {
		if _, ok := cnDigits[rs[q.unitEnd]]; ok {
			return true
		}
	}
	return false
}

// segmentStart is where the words belonging to the number at num begin:
// after the previous target of the clause and after the last 、 before it,
// within prefixWindow.
func (x *extractor) segmentStart(c span, consumed, num int) int {
	seg := max(c.start, consumed, num-prefixWindow)
	for i := num - 1; i >= seg; i-- {
		if x.rs[i] == '、' {
			return i + 1
		}
	}
	return seg
}

// occurrence is a word of the table found before a number.
type occurrence struct {
	start, end int
	w          word
}

// findWords finds, left to right and longest first, the words of the table
// in rs[from:to]. Adjacent words count only when they end at to.
func findWords(rs []rune, from, to int) []occurrence {
	var occ []occurrence
	for i := from; i < to; {
		found := false
		for l := min(maxWordLen, to-i); l >= 1; l-- {
			w, ok := words[string(rs[i:i+l])]
			if !ok || (w.adjacent && i+l != to) {
				continue
			}
			occ = append(occ, occurrence{i, i + l, w})
			i += l
			found = true
			break
		}
		if !found {
			i++
		}
	}
	return occ
}

// governed reports whether something makes the quantity a target: a word of
// the table in its clause before it, or a qualifier. A bare Chinese 一 (一批,
// 一个, 一次性) is an article more often than a count: it needs a word that
// sets the comparator or a qualifier.
func (x *extractor) governed(q quantity, c span, segOcc []occurrence) bool {
	if q.chinese && q.raw == 1 {
		if q.unit == "批" {
			return false // 一批: some, not one
		}
		if q.qual != "" {
			return true
		}
		for _, o := range segOcc {
			if o.w.kind == strong && o.w.cmp != "" {
				return true
			}
		}
		return false
	}
	if q.qual != "" {
		return true
	}
	return len(findWords(x.rs, max(c.start, q.start-prefixWindow), q.start)) > 0
}

// isStretch reports a segment that holds nothing but a stretch word and a
// comparator: 争取达到, 力争, （力争突破）.
func (x *extractor) isStretch(seg, num int) bool {
	occ := findWords(x.rs, seg, num)
	hasStretch := false
	covered := make([]bool, num-seg)
	for _, o := range occ {
		if o.w.stretch {
			hasStretch = true
		}
		if o.w.stretch || (o.w.kind == strong && o.w.cmp != "") || o.w.kind == marker {
			for i := o.start; i < o.end; i++ {
				covered[i-seg] = true
			}
		}
	}
	if !hasStretch {
		return false
	}
	for i := seg; i < num; i++ {
		if !covered[i-seg] && !isFiller(x.rs[i]) {
			return false
		}
	}
	return true
}

// target builds the target for a governed quantity.
func (x *extractor) target(q quantity, c span, seg int, occ []occurrence, last int) plan.Target {
	t := plan.Target{
		Value:   q.value,
		Unit:    q.unit,
		Display: strings.TrimSpace(string(x.rs[q.start:q.unitEnd])),
		Source:  x.source(q, c, seg),
		Stretch: q.stretch,
	}
	var cmp plan.Comparator
	inc, dec := false, false
	for _, o := range occ {
		if o.w.kind != strong {
			continue
		}
		if o.w.cmp != "" {
			cmp = o.w.cmp
		}
		if o.w.level {
			inc, dec = false, false // 增长到, 降至: a level after all
		}
		inc = inc || o.w.inc
		dec = dec || o.w.dec
	}
	switch {
	case dec:
		// 下降3%以上: the change is at most -3%.
		t.Value = -t.Value
		if t.Stretch != nil {
			s := -*t.Stretch
			t.Stretch = &s
		}
		t.Increment = true
		switch q.qual {
		case plan.About:
			cmp = plan.About
		case plan.AtMost:
			cmp = plan.AtLeast
		default:
			cmp = plan.AtMost
		}
	case q.qual != "":
		cmp = q.qual
	}
	if inc {
		t.Increment = true
	}
	if cmp == "" {
		cmp = plan.AtLeast
	}
	t.Comparator = cmp
	t.Name = x.name(q, c, seg, occ)
	if t.Name == "" {
		if last >= 0 {
			t.Name = x.out[last].Name // 达到185家，其中新增30家
		} else {
			t.Name = clean(x.rs[max(c.start, q.start-prefixWindow):q.start])
		}
	}
	if t.Name == "" {
		t.Name = t.Source // nothing names it: the reviewer will
	}
	return t
}

// source is the clause of a quantity, or when the clause is longer than
// maxSource, its words: from the segment start to the next 、.
func (x *extractor) source(q quantity, c span, seg int) string {
	if c.end-c.start <= maxSource {
		return trimSource(x.rs[c.start:c.end])
	}
	end := q.end
	for end < c.end && end < q.end+nounWindow && x.rs[end] != '、' {
		end++
	}
	return trimSource(x.rs[seg:end])
}

// name finds the subject of a target. A noun right after the number wins
// (引进50支高校人才团队, 管理100颗卫星的能力). Otherwise the name is before
// the number: the words after the last verb that sets the comparator or the
// increment (新增|省级以上创新平台|2个), or, when the verb ends the phrase,
// the words before it (全社会研发投入|达到|15.3亿元). Without such a verb the
// first verb of achievement splits the phrase the same way
// (组织实施|农业科技项目|3项). Markers, adverbs and verbs are stripped from
// the ends (全年, 力争, 同比, 数量).
func (x *extractor) name(q quantity, c span, seg int, occ []occurrence) string {
	if n := x.nounAfter(q.end, c.end); n != "" {
		return n
	}
	split := -1
	for i, o := range occ {
		if o.w.kind == strong {
			split = i
		}
	}
	if split < 0 {
		for i, o := range occ {
			if o.w.kind == governing {
				split = i
				break
			}
		}
	}
	if split < 0 {
		return clean(x.rs[seg:q.start])
	}
	o := occ[split]
	if n := clean(x.rs[o.end:q.start]); n != "" {
		return n
	}
	return clean(x.rs[seg:o.start])
}

// nounAfter reads the noun right after a quantity, up to a stop word.
func (x *extractor) nounAfter(from, to int) string {
	to = min(to, from+nounWindow)
	i := from
	for i < to && isNameRune(x.rs[i]) && !x.stopAt(i) {
		i++
	}
	return clean(x.rs[from:i])
}

func (x *extractor) stopAt(i int) bool {
	for _, s := range nounStops {
		if hasRunes(x.rs, i, []rune(s)) {
			return true
		}
	}
	// A verb of the table ends the noun too (10家企业开展…, 5个平台建成…).
	for l := maxWordLen; l >= 2; l-- {
		if i+l <= len(x.rs) {
			if w, ok := words[string(x.rs[i:i+l])]; ok && !w.keep && w.kind != marker {
				return true
			}
		}
	}
	return false
}

// isNameRune reports runes that may be part of a name: Han characters,
// letters and digits (R&D is handled by clean keeping '&').
func isNameRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&'
}

// isFiller reports punctuation and spaces that do not carry meaning inside a
// stretch phrase.
func isFiller(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// clean trims a name candidate: punctuation, quotes and brackets at the
// ends, enumerators, markers, adverbs and verbs at the start (新增|认定|市级
// 科普基地), and trailing words (同比, 数量).
func clean(rs []rune) string {
	s := trimRunes(rs)
	for changed := true; changed && len(s) > 0; {
		changed = false
		s = stripEnumerator(s)
		s = trimRunes(s)
		for l := min(maxWordLen, len(s)); l >= 1; l-- {
			p := string(s[:l])
			w, ok := words[p]
			strip := leadWords[p] || (ok && !w.adjacent && !w.keep)
			// Keep 开发区, 孵化器: a verb followed by a noun suffix, and
			// a verb leaving a single character behind.
			if w.kind == governing && (len(s)-l < 2 || strings.ContainsRune(nounSuffixes, s[l])) {
				strip = false
			}
			if strip {
				s = s[l:]
				changed = true
				break
			}
		}
		for l := min(maxWordLen, len(s)); l >= 1; l-- {
			if trailWords[string(s[len(s)-l:])] {
				s = s[:len(s)-l]
				changed = true
				break
			}
		}
	}
	s = trimRunes(s)
	// A name is words, not a lone particle or a number.
	if len(s) == 0 || (len(s) == 1 && !unicode.Is(unicode.Han, s[0])) {
		return ""
	}
	return string(s)
}

// trimRunes trims spaces, punctuation and the particle 的 from both ends,
// keeping a closing bracket whose opening one is inside.
func trimRunes(rs []rune) []rune {
	isTrim := func(r rune) bool {
		return unicode.IsSpace(r) || r == '的' || r == '|' ||
			(unicode.IsPunct(r) && r != '&' && r != '）' && r != ')') || unicode.IsSymbol(r)
	}
	for len(rs) > 0 && isTrim(rs[0]) {
		rs = rs[1:]
	}
	for len(rs) > 0 && (isTrim(rs[len(rs)-1]) || unbalancedClose(rs)) {
		rs = rs[:len(rs)-1]
	}
	return rs
}

// unbalancedClose reports a closing bracket at the end of rs without its
// opening one.
func unbalancedClose(rs []rune) bool {
	last := rs[len(rs)-1]
	if last != '）' && last != ')' {
		return false
	}
	for _, r := range rs[:len(rs)-1] {
		if r == '（' || r == '(' {
			return false
		}
	}
	return true
}

// stripEnumerator removes a leading 1. / 2、 / （3） / ① from rs.
func stripEnumerator(rs []rune) []rune {
	i := 0
	for i < len(rs) && isDigit(rs[i]) {
		i++
	}
	if i > 0 && i < len(rs) && strings.ContainsRune(".．、)）", rs[i]) && (i+1 == len(rs) || !isDigit(rs[i+1])) {
		return rs[i+1:]
	}
	if len(rs) > 0 && (rs[0] == '（' || rs[0] == '(') {
		j := 1
		for j < len(rs) && (isDigit(rs[j]) || isCNNumeral(rs[j])) {
			j++
		}
		if j > 1 && j < len(rs) && (rs[j] == '）' || rs[j] == ')') {
			return rs[j+1:]
		}
	}
	if len(rs) > 0 && rs[0] >= '①' && rs[0] <= '⑳' {
		return rs[1:]
	}
	return rs
}

// trimSource trims a clause for Source: spaces, table bars and a leading
// enumerator.
func trimSource(rs []rune) string {
	trim := func(rs []rune) []rune {
		for len(rs) > 0 && (unicode.IsSpace(rs[0]) || rs[0] == '|') {
			rs = rs[1:]
		}
		for len(rs) > 0 && (unicode.IsSpace(rs[len(rs)-1]) || rs[len(rs)-1] == '|') {
			rs = rs[:len(rs)-1]
		}
		return rs
	}
	rs = trim(rs)
	rs = trim(stripEnumerator(rs))
	return string(rs)
}

// sentences splits rs on 。；;！？!? and line breaks.
func sentences(rs []rune) []span {
	var out []span
	start := 0
	for i, r := range rs {
		if isSentenceEnd(r) {
			if i > start {
				out = append(out, span{start, i})
			}
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, span{start, len(rs)})
	}
	return out
}

func isSentenceEnd(r rune) bool {
	return strings.ContainsRune("。；;！？!?\n\r", r)
}

// clauses splits a sentence on ，,：: — an ASCII comma between digits that
// reads as a thousands separator (1,200) does not split.
func clauses(rs []rune, s span) []span {
	var out []span
	start := s.start
	for i := s.start; i < s.end; i++ {
		r := rs[i]
		if !strings.ContainsRune("，,：:", r) {
			continue
		}
		if r == ',' && isThousandsComma(rs, i) {
			continue
		}
		if i > start {
			out = append(out, span{start, i})
		}
		start = i + 1
	}
	if start < s.end {
		out = append(out, span{start, s.end})
	}
	return out
}

func isThousandsComma(rs []rune, i int) bool {
	if i == 0 || i+3 >= len(rs) || !isDigit(rs[i-1]) {
		return false
	}
	if !isDigit(rs[i+1]) || !isDigit(rs[i+2]) || !isDigit(rs[i+3]) {
		return false
	}
	return i+4 == len(rs) || !isDigit(rs[i+4])
}

// quoteMask marks the runes inside quotes and book-title marks: “…” ‘…’
// "…" 「…」 『…』 《…》 〈…〉. Quotes do not run past the end of a sentence, so
// a stray one costs at most a sentence.
func quoteMask(rs []rune) []bool {
	m := make([]bool, len(rs))
	depth, straight := 0, false
	for i, r := range rs {
		switch r {
		case '“', '‘', '「', '『', '《', '〈':
			depth++
		case '”', '’', '」', '』', '》', '〉':
			if depth > 0 {
				depth--
			}
		case '"':
			straight = !straight
		default:
			if isSentenceEnd(r) {
				depth, straight = 0, false
			}
		}
		m[i] = depth > 0 || straight
	}
	return m
}
