package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/chromedp"
)

// CJKGlyphs returns how many glyphs of the first element matching sel
// Chromium drew with a CJK font (Noto Sans/Serif CJK). Text drawn as empty
// boxes because fonts-noto-cjk is missing counts 0, though it is as wide.
func CJKGlyphs(t testing.TB, ctx context.Context, sel string) float64 {
	t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.QueryNodeIDs(sel))
	if err != nil || len(ids) == 0 {
		t.Fatalf("testenv: find %s: %v", sel, err)
	}
	res, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: ids[0]})
	if err != nil {
		t.Fatalf("testenv: fonts of %s: %v", sel, err)
	}
	var n float64
	for _, f := range res.Fonts {
		if strings.Contains(f.FamilyName, "CJK") {
			n += f.GlyphCount
		}
	}
	return n
}
