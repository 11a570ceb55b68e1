package web_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/plan/parse"
)

// upload posts a file as the upload form does, with the remembered CSRF
// token unless csrf is false.
func (c *client) upload(path, filename string, data []byte, csrf bool) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf {
		mw.WriteField("csrf_token", c.csrf)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// formValues returns what a browser would submit from the first form
// whose action is action: text inputs, ticked checkboxes, selected options.
func formValues(t testing.TB, page, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if form != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			if a, _ := attr(n, "action"); a == action {
				form = n
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form with action %s", action)
	}
	v := url.Values{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			switch n.Data {
			case "input":
				typ, _ := attr(n, "type")
				val, _ := attr(n, "value")
				_, checked := attr(n, "checked")
				switch {
				case !named || typ == "file" || typ == "submit":
				case typ == "checkbox" || typ == "radio":
					if checked {
						v.Add(name, val)
					}
				default:
					v.Add(name, val)
				}
			case "select":
				var first, selected string
				var any, sel bool
				for o := n.FirstChild; o != nil; o = o.NextSibling {
					if o.Type != html.ElementNode || o.Data != "option" {
						continue
					}
					val, _ := attr(o, "value")
					if !any {
						first, any = val, true
					}
					if _, ok := attr(o, "selected"); ok {
						selected, sel = val, true
					}
				}
				if named && any {
					if sel {
						v.Add(name, selected)
					} else {
						v.Add(name, first)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return v
}

func count(body, s string) int { return strings.Count(body, s) }

// importDoc is the demo document as another file: the demo has imported the
// document itself already, as an active plan.
func importDoc() []byte { return append(bytes.Clone(demo.PlanDocument), "\n\n"...) }

func TestImportReviewSave(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	ctx := context.Background()

	resp, body := c.get("/plans/import")
	if resp.StatusCode != 200 || !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `name="csrf_token"`) {
		t.Fatalf("upload form: %d", resp.StatusCode)
	}

	resp, body = c.upload("/plans/import", "2023年全市科技创新工作要点.txt", importDoc(), true)
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	if s, i, k := count(body, `review-section"`), count(body, `class="review-item"`), count(body, `class="card review-key-item"`); s != 6 || i != 17 || k != 10 {
		t.Fatalf("review shows %d sections, %d items, %d key items", s, i, k)
	}
	headline := regexp.MustCompile(`(?s)<tr class="review-target headline".*?</tr>`).FindAllString(body, -1)
	if len(headline) != 5 {
		t.Fatalf("%d headline targets", len(headline))
	}
	for i, want := range []string{"185家", "520家", "15.3亿元", "12亿元", "650亿元"} {
		if !strings.Contains(headline[i], `<mark class="hl">`+want+`</mark>`) {
			t.Errorf("headline target %d: source does not mark %s:\n%s", i+1, want, headline[i])
		}
	}
	if !strings.Contains(headline[2], `value="15.3"`) || !strings.Contains(headline[2], `value="亿元"`) {
		t.Errorf("money target not in the document's unit: %s", headline[2])
	}
	if strings.Contains(body, "import-duplicate") {
		t.Fatal("a new document shown as a duplicate")
	}

	form := formValues(t, body, "/plans/import/save")
	if form.Get("sha256") == "" || form.Get("title") != "2023年全市科技创新工作要点" || form.Get("target.0.value") != "185" {
		t.Fatalf("review form: %v", form)
	}

	// Invalid edits come back with a message naming the row, as typed.
	bad := cloneValues(form)
	bad.Set("title", " ")
	bad.Set("target.2.value", "abc")
	bad.Set("year", "1999")
	resp, body = c.post("/plans/import/save", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid save: %d", resp.StatusCode)
	}
	for _, want := range []string{"第3个目标:目标值须为不小于0的数字", "计划名称不能为空", "年度须为2000至2100之间的整数", `value="abc"`} {
		if !strings.Contains(body, want) {
			t.Errorf("invalid save: page lacks %q", want)
		}
	}
	if plans, _ := e.db.Plans(ctx, auth.Scope{All: true}); len(plans) != 1 {
		t.Fatalf("an invalid save created a plan: %d plans", len(plans))
	}

	// Edit the title, a target and a measure; drop a target; save.
	form.Set("title", "2023年全市科技创新工作要点(导入)")
	form.Set("target.0.value", "190")
	form.Set("target.2.value", "16")
	form.Set("key.0.measure.0.done", "1")
	form.Set("target.10.drop", "1")
	resp, _ = c.post("/plans/import/save", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/plans/") {
		t.Fatalf("save: %d %q", resp.StatusCode, loc)
	}
	resp, body = c.get(loc)
	if resp.StatusCode != 200 || !strings.Contains(body, `<h1 class="page-title">2023年全市科技创新工作要点(导入)</h1>`) ||
		!strings.Contains(body, "190家") || !strings.Contains(body, "16亿元") || !strings.Contains(body, "草稿") ||
		!strings.Contains(body, "已导入计划《2023年全市科技创新工作要点(导入)》") {
		t.Fatalf("plan page after import: %d\n%s", resp.StatusCode, body)
	}
	id := strings.TrimPrefix(loc, "/plans/")
	_, body = c.get(loc + "/key-items")
	// The seed marks 2 measures done; the review ticked one more.
	if n := count(body, `class="measure done"`); n != 3 {
		t.Errorf("key items: %d done measures, want 3", n)
	}
	ref, err := e.db.PlanRefByHash(ctx, form.Get("sha256"))
	if err != nil || itoa(ref.ID) != id || ref.Status != "draft" {
		t.Fatalf("saved plan: %+v %v", ref, err)
	}
	p, err := e.db.Plan(ctx, auth.Scope{All: true}, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.KeyItems[6].Targets); n != 0 {
		t.Errorf("dropped target saved: key item 7 has %d targets", n)
	}
	es, _, err := e.db.AuditEntries(ctx, audit.Filter{Action: audit.PlanImported})
	if err != nil || len(es) != 1 || es[0].EntityID != id || es[0].ActorName != "staff" {
		t.Fatalf("audit: %+v %v", es, err)
	}

	// The same file again: the review says so and offers to replace the draft.
	resp, body = c.upload("/plans/import", "again.txt", importDoc(), true)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-duplicate="`+id+`"`) || !strings.Contains(body, "替换草稿") {
		t.Fatalf("second upload: %d\n%s", resp.StatusCode, body)
	}
	form = formValues(t, body, "/plans/import/save")
	resp, body = c.post("/plans/import/save", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "该文件已导入为计划《2023年全市科技创新工作要点(导入)》(#"+id+")") {
		t.Fatalf("save of a duplicate: %d", resp.StatusCode)
	}
	form.Set("replace", id)
	resp, _ = c.post("/plans/import/save", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == loc {
		t.Fatalf("replace: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	plans, _ := e.db.Plans(ctx, auth.Scope{All: true})
	if len(plans) != 2 {
		t.Fatalf("after replace: %d plans, want the demo and one import", len(plans))
	}
	if resp, _ := c.get(loc); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("replaced draft: %d", resp.StatusCode)
	}
	if es, _, _ := e.db.AuditEntries(ctx, audit.Filter{Action: audit.PlanReplaced}); len(es) != 1 {
		t.Fatalf("replace audit: %+v", es)
	}
	// The same review again: the draft it replaces is gone.
	if resp, body := c.post("/plans/import/save", form); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "要替换的计划已不存在") {
		t.Fatalf("replace of a replaced draft: %d", resp.StatusCode)
	}

	// The demo's own document is an active plan: no second import, no replace.
	resp, body = c.upload("/plans/import", demo.PlanFileName, demo.PlanDocument, true)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-duplicate="`+itoa(e.demo.PlanID)+`"`) ||
		strings.Contains(body, `name="replace"`) || strings.Contains(body, `type="submit">保存`) {
		t.Fatalf("upload of the demo document: %d", resp.StatusCode)
	}
	form = formValues(t, body, "/plans/import/save")
	form.Set("replace", itoa(e.demo.PlanID))
	if resp, _ := c.post("/plans/import/save", form); resp.StatusCode != http.StatusConflict {
		t.Fatalf("replace of an active plan: %d", resp.StatusCode)
	}
	if plans, _ := e.db.Plans(ctx, auth.Scope{All: true}); len(plans) != 2 {
		t.Fatalf("%d plans", len(plans))
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestImportBadInput(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	c.get("/plans/import")
	ctx := context.Background()

	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 256)...)
	_, perr := parse.Parse("logo.png", png)
	var pe *parse.Error
	if !errors.As(perr, &pe) {
		t.Fatalf("parse png: %v", perr)
	}
	resp, body := c.upload("/plans/import", "logo.png", png, true)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, pe.Message) || !strings.Contains(body, `action="/plans/import"`) {
		t.Fatalf("png: %d, want 422 with %q", resp.StatusCode, pe.Message)
	}

	resp, body = c.upload("/plans/import", "x.txt", nil, true)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "文件为空") {
		t.Fatalf("empty file: %d", resp.StatusCode)
	}
	resp, body = c.post("/plans/import", url.Values{})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择要导入的文件") {
		t.Fatalf("no file: %d", resp.StatusCode)
	}

	// A file over parse.MaxSize; a body over the route's limit.
	big := bytes.Repeat([]byte("一、"), parse.MaxSize/len("一、")+1)
	resp, body = c.upload("/plans/import", "big.txt", big, true)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件过大") {
		t.Fatalf("big file: %d", resp.StatusCode)
	}
	huge := make([]byte, parse.MaxSize+2<<20)
	resp, body = c.upload("/plans/import", "huge.txt", huge, true)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件过大") {
		t.Fatalf("huge body: %d", resp.StatusCode)
	}

	// A review of a document that was never uploaded.
	resp, body = c.post("/plans/import/save", url.Values{"sha256": {strings.Repeat("ab", 32)}, "title": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请重新上传") {
		t.Fatalf("unknown document: %d", resp.StatusCode)
	}

	if plans, _ := e.db.Plans(ctx, auth.Scope{All: true}); len(plans) != 1 {
		t.Fatalf("bad input created plans: %d", len(plans))
	}
	if es, _, _ := e.db.AuditEntries(ctx, audit.Filter{Action: audit.PlanImported}); len(es) != 0 {
		t.Fatalf("bad input audited an import: %+v", es)
	}
}

func TestImportIsStaffOnly(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	_, body := staff.upload("/plans/import", "p.txt", importDoc(), true)
	form := formValues(t, body, "/plans/import/save")
	form.Del("csrf_token") // each client sends its own

	for _, role := range []string{"reporter", "leader", "sysadmin", "secadmin", "auditor"} {
		c := e.login(t, role)
		if resp, _ := c.get("/plans/import"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /plans/import as %s: %d", role, resp.StatusCode)
		}
		if resp, _ := c.upload("/plans/import", "p.txt", importDoc(), true); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST /plans/import as %s: %d", role, resp.StatusCode)
		}
		if resp, _ := c.post("/plans/import/save", cloneValues(form)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST /plans/import/save as %s: %d", role, resp.StatusCode)
		}
		_, body := c.get("/account/sessions")
		if strings.Contains(body, `href="/plans/import"`) {
			t.Errorf("%s sees the import menu entry", role)
		}
	}

	// Without the CSRF token: refused, nothing saved.
	if resp, _ := staff.upload("/plans/import", "p.txt", importDoc(), false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload without CSRF: %d", resp.StatusCode)
	}
	noToken := cloneValues(form)
	noToken.Set("csrf_token", "")
	if resp, _ := staff.post("/plans/import/save", noToken); resp.StatusCode != http.StatusForbidden {
		t.Errorf("save without CSRF: %d", resp.StatusCode)
	}
	if plans, _ := e.db.Plans(context.Background(), auth.Scope{All: true}); len(plans) != 1 {
		t.Fatalf("refused requests created plans: %d", len(plans))
	}
	// Signed out: the form asks for a sign-in.
	anon := e.anon(t)
	if resp, _ := anon.get("/plans/import"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
}

func TestImportInEnglish(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	c.get("/lang/en")
	resp, body := c.upload("/plans/import", "p.txt", importDoc(), true)
	if resp.StatusCode != 200 || !strings.Contains(body, "Review the import") || strings.Contains(body, "%!") {
		t.Fatalf("english review: %d", resp.StatusCode)
	}
}
