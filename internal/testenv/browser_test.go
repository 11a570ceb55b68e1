package testenv

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/chromedp"
)

const cjkPage = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>落实</title>
<style>body { font-family: sans-serif; font-size: 16px; margin: 2em; }</style>
</head>
<body>
<h1 id="title">落实 工作要点</h1>
<p><span id="cjk">工作要点</span> · <span id="tofu">□□□□</span></p>
</body>
</html>`

// TestBrowser checks that Chromium renders Chinese with a real CJK font:
// without fonts-noto-cjk the text is still in the DOM, but it is drawn as
// empty boxes ("tofu"), and no screenshot of the product would be legible.
func TestBrowser(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, cjkPage)
	}))
	t.Cleanup(srv.Close)

	ctx := Browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.ID("title"))); err != nil {
		t.Fatal(err)
	}

	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("title")))
	if err != nil {
		t.Fatal(err)
	}
	if text != "落实 工作要点" {
		t.Errorf("title text = %q, want %q", text, "落实 工作要点")
	}

	// Ask Chromium which platform fonts drew the glyphs of the title. Width
	// checks and document.fonts.check cannot tell: a missing glyph box is as
	// wide as a real glyph, and fonts.check answers true for any font name
	// that is not a web font.
	ids, err := chromedp.Run(ctx, chromedp.QueryNodeIDs(chromedp.ID("title")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	var cjkGlyphs float64
	var used []string
	for _, f := range res.Fonts {
		used = append(used, fmt.Sprintf("%s (%g glyphs)", f.FamilyName, f.GlyphCount))
		if strings.Contains(f.FamilyName, "CJK") {
			cjkGlyphs += f.GlyphCount
		}
	}
	if cjkGlyphs < 6 {
		t.Errorf("the 6 Chinese characters were drawn with %s; want a Noto CJK font (apt-get install fonts-noto-cjk)", strings.Join(used, ", "))
	}
	if got := CJKGlyphs(t, ctx, "#title"); got != cjkGlyphs {
		t.Errorf("CJKGlyphs(#title) = %g, want %g", got, cjkGlyphs)
	}

	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("cjk").getBoundingClientRect().width`))
	if err != nil {
		t.Fatal(err)
	}
	if width < 4*10 {
		t.Errorf("4 Chinese characters at 16px are %g px wide, want about 64", width)
	}

	path := Screenshot(t, ctx, "cjk page")
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG", path)
	}
	t.Logf("screenshot: %s (%d bytes); fonts: %s", path, len(png), strings.Join(used, ", "))
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"TestX/sub case": "TestX_sub_case",
		"a.b-c_d":        "a.b-c_d",
		"../x":           ".._x",
		"落实":             "__",
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
