package parse

import (
	"regexp"
	"strings"

	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/parse/target"
)

// analyse finds the plan in the blocks of a document: the notice around it
// (issuer, addressees, date, document number), the title, the preamble, the
// sections and work items, and the key items of its tables.
func analyse(blocks []block, opt Options) (*plan.Plan, error) {
	if len(blocks) > maxParagraphs+maxRows {
		return nil, &Error{Err: ErrNotPlan, Message: msgTooMany}
	}
	blocks = joinMarkers(blocks)
	p := &plan.Plan{Targets: []plan.Target{}, Sections: []plan.Section{}, KeyItems: []plan.Task{}}

	// The title comes before the first numbered paragraph.
	firstHead := len(blocks)
	for i, b := range blocks {
		if h, ok := parseHeading(b.text); ok && !b.isTable() && h.level <= levelArabic {
			firstHead = i
			break
		}
	}
	var notice string // the plan's title as quoted in the notice
	var noticeIssuer string
	for i := 0; i < firstHead; i++ {
		if t, before, ok := noticeTitle(blocks[i].text); ok && notice == "" {
			notice = t
			if isOrgLine(before) {
				noticeIssuer = before
			}
		}
	}
	titleIdx, best := -1, 1
	for i := 0; i < firstHead; i++ {
		s := blocks[i].text
		if blocks[i].isTable() || !isTitle(s) {
			continue
		}
		score := titleScore(s)
		if notice != "" && squeeze(s) == squeeze(notice) {
			score += 10
		}
		if score > best {
			titleIdx, best = i, score
		}
	}
	headerEnd, bodyStart := firstHead, firstHead
	if titleIdx >= 0 {
		p.Title = blocks[titleIdx].text
		headerEnd, bodyStart = titleIdx, titleIdx+1
	} else {
		p.Title = notice
		// The body starts after the last line of the notice.
		bodyStart = 0
		for i := 0; i < firstHead; i++ {
			if isNoticeLine(blocks[i].text) {
				bodyStart = i + 1
			}
		}
		headerEnd = bodyStart
	}
	p.Title = cleanLine(p.Title)

	// The notice: issuer, addressees, date and number.
	for i := 0; i < headerEnd; i++ {
		b := blocks[i]
		if b.isTable() {
			for _, r := range b.rows {
				for _, c := range r {
					if p.DocNo == "" {
						p.DocNo = docNo(c)
					}
				}
			}
			continue
		}
		s := b.text
		if p.Issuer == "" && isOrgLine(s) {
			p.Issuer = s
		}
		if o, ok := strings.CutSuffix(s, "文件"); ok && p.Issuer == "" && isOrgLine(o) {
			p.Issuer = o // the red header: X局文件
		}
		if a, ok := addressees(s); ok && p.Addressees == "" {
			p.Addressees = a
		}
		if d, ok := dateLine(s); ok && p.IssuedOn == "" {
			p.IssuedOn = d
		}
		if p.DocNo == "" {
			p.DocNo = docNo(s)
		}
	}
	if p.Issuer == "" {
		p.Issuer = noticeIssuer
	}
	var printOrg, printDate string
	for i, b := range blocks {
		if b.isTable() {
			continue
		}
		if d, ok := dateLine(b.text); ok {
			if p.IssuedOn == "" {
				p.IssuedOn = d
			}
			if p.Issuer == "" && i > 0 && isOrgLine(blocks[i-1].text) {
				p.Issuer = blocks[i-1].text // the signature
			}
		}
		if org, d, ok := printLine(b.text); ok && printDate == "" {
			printOrg, printDate = org, d
		}
	}
	if p.IssuedOn == "" {
		p.IssuedOn = printDate
	}
	if p.Issuer == "" && printOrg != "" {
		// “X局办公室 …印发”: the office prints for the bureau.
		p.Issuer = printOrg
		if o := strings.TrimSuffix(printOrg, "办公室"); o != printOrg && isOrgLine(o) {
			p.Issuer = o
		}
	}
	if p.Issuer == "" {
		// A plan without a notice, titled X局2024年工作要点.
		if loc := reTitleYear.FindStringIndex(p.Title); loc != nil && isOrgLine(p.Title[:loc[0]]) {
			p.Issuer = p.Title[:loc[0]]
		}
	}
	if p.DocNo == "" {
		for i := 0; i < len(blocks) && i < 40; i++ {
			if p.DocNo = docNo(blocks[i].text); p.DocNo != "" {
				break
			}
		}
	}
	p.Year = titleYear(p.Title)
	if p.Year == 0 && len(p.IssuedOn) >= 4 {
		p.Year = atoi([]rune(p.IssuedOn[:4]))
	}

	body := bodyParagraphs(blocks, bodyStart)
	rows := 0
	for _, b := range blocks {
		rows += len(b.rows)
	}
	if len(body) > maxParagraphs || rows > maxRows {
		return nil, &Error{Err: ErrNotPlan, Message: msgTooMany}
	}
	preamble, sections := structure(body, opt)
	p.Preamble = strings.Join(preamble, "\n")
	p.Sections = sections
	p.Themes = findThemes(p.Preamble)
	p.Targets = nonNil(target.Extract(p.Preamble))

	for _, b := range blocks {
		if b.isTable() {
			p.KeyItems = append(p.KeyItems, tableTasks(b.rows, p.Year, opt)...)
		}
	}

	items := 0
	for _, s := range p.Sections {
		items += len(s.Items)
	}
	switch {
	case p.Title == "" && items+len(p.KeyItems) == 0:
		return nil, &Error{Err: ErrNotPlan, Message: msgNotPlan}
	case p.Title == "":
		return nil, &Error{Err: ErrNotPlan, Message: msgNoTitle}
	case items+len(p.KeyItems) == 0:
		return nil, &Error{Err: ErrNotPlan, Message: msgNoItems}
	}
	return p, nil
}

// A plan has tens of items; these bounds keep the work on a hostile upload
// small.
const (
	maxParagraphs = 20000
	maxRows       = 5000
)

var reTitleYear = regexp.MustCompile(`\d{4}\s*年`)

// titleScore ranks title candidates: a year and a strong word such as 工作要点
// beat a menu entry such as 规划计划.
func titleScore(s string) int {
	f := foldString(s)
	score := 0
	if reTitleYear.MatchString(f) || reYearCN.MatchString(f) {
		score += 2
	}
	switch {
	case containsAny(f, "工作要点", "要点", "工作计划", "任务分解", "重点任务", "任务清单"):
		score += 2
	case containsAny(f, titleWords...):
		score++
	}
	if containsAny(f, ">", "»", "|", "当前位置", "首页") {
		score = 0
	}
	return score
}

// isNoticeLine reports the lines of a notice wrapping a plan.
func isNoticeLine(s string) bool {
	if _, _, ok := noticeTitle(s); ok {
		return true
	}
	f := foldString(s)
	if strings.HasPrefix(f, "现将") || strings.HasPrefix(f, "关于") || isOrgLine(s) || docNo(s) != "" {
		return true
	}
	if _, ok := addressees(s); ok {
		return true
	}
	_, ok := dateLine(s)
	return ok
}

// joinMarkers joins a paragraph that is only a list number (“1.”) to the
// paragraph after it.
func joinMarkers(blocks []block) []block {
	out := blocks[:0:0]
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if !b.isTable() && markerOnly(b.text) && i+1 < len(blocks) && !blocks[i+1].isTable() {
			if _, ok := parseHeading(blocks[i+1].text); !ok {
				b.text += blocks[i+1].text
				i++
			}
		}
		out = append(out, b)
	}
	return out
}

// bodyParagraphs returns the paragraphs of the plan's body from start: up
// to the attachments, the copy-to and print lines, a signature, or the end
// of a web page's article. A short caption right before a table is left out.
func bodyParagraphs(blocks []block, start int) []string {
	var out []string
	for i := start; i < len(blocks); i++ {
		b := blocks[i]
		if b.isTable() {
			continue
		}
		if endsBody(blocks, i) {
			break
		}
		if i+1 < len(blocks) && blocks[i+1].isTable() && runeLen(b.text) <= 40 && !strings.Contains(b.text, "。") {
			if _, ok := parseHeading(b.text); !ok {
				continue // the table's caption
			}
		}
		out = append(out, b.text)
	}
	return out
}

var junkPrefixes = []string{
	"相关链接", "相关文章", "相关阅读", "相关文件", "打印本页", "关闭窗口", "[打印]", "[关闭]", "扫一扫",
	"分享到", "上一篇", "下一篇", "版权所有", "网站地图", "主办单位", "责任编辑", "[字体", "字体:",
}

func endsBody(blocks []block, i int) bool {
	s := blocks[i].text
	f := foldString(s)
	if strings.HasPrefix(f, "抄送") || strings.HasPrefix(f, "抄报") || strings.HasPrefix(f, "主题词") ||
		strings.HasPrefix(f, "(此件") || strings.HasPrefix(f, "此件公开") || attachmentMarker(f) {
		return true
	}
	if runeLen(s) <= 40 {
		for _, j := range junkPrefixes {
			if strings.HasPrefix(f, j) {
				return true
			}
		}
	}
	if _, _, ok := printLine(s); ok {
		return true
	}
	if _, ok := dateLine(s); ok {
		return true
	}
	if isOrgLine(s) && i+1 < len(blocks) {
		_, ok := dateLine(blocks[i+1].text)
		return ok
	}
	return false
}

// attachmentMarker reports the line that lists or starts the attachments:
// 附件 / 附件:… / 附件1 / 附件一.
func attachmentMarker(f string) bool {
	rest, ok := strings.CutPrefix(f, "附件")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	r := []rune(rest)[0]
	return !isHan(r) || isCNNumeral(r)
}

// structure finds the sections and work items of the body paragraphs: the
// heading levels in use are detected first (一、 with 1. or （一）; （一） with
// 1.; or one level only), then paragraphs are assigned to them. A number
// that breaks its sequence is text, not a heading.
func structure(paras []string, opt Options) (preamble []string, sections []plan.Section) {
	type cand struct {
		h  heading
		ok bool
	}
	cands := make([]cand, len(paras))
	var count, first [levelParen1 + 1]int
	var last [levelParen1 + 1]int
	for i := range first {
		first[i] = -1
	}
	for i, s := range paras {
		h, ok := parseHeading(s)
		if !ok || h.level > levelArabic {
			continue
		}
		cands[i] = cand{h, true}
		if h.n == last[h.level]+1 || h.n == 1 {
			last[h.level] = h.n
			count[h.level]++
			if first[h.level] < 0 {
				first[h.level] = i
			}
		}
	}
	secLv, itemLv := levelNone, levelNone
	switch {
	case count[levelCN] > 0 && (count[levelParen] > 0 || count[levelArabic] > 0):
		secLv, itemLv = levelCN, levelArabic
		if count[levelParen] > 0 && (count[levelArabic] == 0 || first[levelParen] < first[levelArabic]) {
			itemLv = levelParen
		}
	case count[levelParen] > 0 && count[levelArabic] > 0 && first[levelParen] < first[levelArabic]:
		secLv, itemLv = levelParen, levelArabic
	case count[levelArabic] > 0:
		itemLv = levelArabic
	case count[levelParen] > 0:
		itemLv = levelParen
	case count[levelCN] > 0:
		itemLv = levelCN
	default:
		return paras, []plan.Section{}
	}

	var (
		sec        *plan.Section
		intro      []string // paragraphs of the current section before its first item
		item       []string // paragraphs of the current item
		itemNo     int
		lastSec    int
		lastItem   int
		inSections bool
	)
	closeItem := func() {
		if item == nil {
			return
		}
		sec.Items = append(sec.Items, workItem(itemNo, item, opt))
		item = nil
	}
	closeSection := func() {
		closeItem()
		if sec == nil {
			return
		}
		if len(sec.Items) == 0 {
			// A section of plain paragraphs: each is an item.
			for k, s := range intro {
				sec.Items = append(sec.Items, workItem(k+1, []string{s}, opt))
			}
		}
		sections = append(sections, *sec)
		sec, intro = nil, nil
	}
	for i, s := range paras {
		c := cands[i]
		switch {
		case c.ok && c.h.level == secLv && (!inSections || c.h.n == lastSec+1):
			closeSection()
			title, rest := splitSectionTitle(c.h.rest)
			sec = &plan.Section{No: c.h.n, Title: title, Items: []plan.Task{}}
			if rest != "" {
				intro = append(intro, rest)
			}
			lastSec, inSections = c.h.n, true
		case c.ok && c.h.level == itemLv && (lastItem == 0 || c.h.n == lastItem+1 ||
			c.h.n == 1 && sec != nil && len(sec.Items) == 0 && item == nil):
			if sec == nil {
				sec = &plan.Section{No: 0, Title: "", Items: []plan.Task{}}
			}
			closeItem()
			item, itemNo, lastItem = []string{c.h.rest}, c.h.n, c.h.n
		case item != nil:
			item = append(item, s)
		case sec != nil:
			intro = append(intro, s)
		default:
			preamble = append(preamble, s)
		}
	}
	closeSection()
	if sections == nil {
		sections = []plan.Section{}
	}
	return preamble, sections
}

// splitSectionTitle splits a section heading into its title (up to the first
// 。) and the text after it.
func splitSectionTitle(s string) (title, rest string) {
	if i := strings.Index(s, "。"); i >= 0 {
		return trimEndPunct(s[:i]), strings.TrimSpace(s[i+len("。"):])
	}
	return trimEndPunct(s), ""
}

func workItem(no int, paras []string, opt Options) plan.Task {
	text := strings.Join(paras, "\n")
	return plan.Task{
		Kind:    plan.KindWorkItem,
		No:      no,
		Title:   firstSentence(text),
		Text:    text,
		Units:   findUnits(text, opt.KnownUnits),
		Targets: nonNil(target.Extract(text)),
	}
}

// firstSentence returns s up to its first 。；; ！？ or line end, without it;
// a colon ends it too when it comes early (强化平台建设:推进…).
func firstSentence(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		switch fold(r) {
		case '。', ';', '!', '?', '\n':
			return trimEndPunct(string(rs[:i]))
		case ':':
			if i <= 30 {
				return trimEndPunct(string(rs[:i]))
			}
		}
	}
	return trimEndPunct(s)
}
