package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserRegistryImport imports enterprises in Chromium: a file with a
// wrong check digit previews its error (row, column, reason) and offers no
// plain import; the corrected file previews clean, imports, and the list
// shows the new enterprises.
func TestBrowserRegistryImport(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	good1, good2 := registry.MakeUSCC("91510903MA6D00001"), registry.MakeUSCC("91510903MA6D00002")
	bad := good2[:17] + map[bool]string{true: "1", false: "0"}[good2[17] == '0']
	dir := t.TempDir()
	badFile, goodFile := filepath.Join(dir, "企业-有误.xlsx"), filepath.Join(dir, "企业.xlsx")
	must(os.WriteFile(badFile, enterpriseSheet(t, [][]string{
		{good1, "船山浏览器测试科技有限公司", "船山区", "电子信息", "", "", "", "GR202351000777", "2023-06-01"},
		{bad, "船山浏览器测试二号有限公司", "船山区", "食品"}}), 0o600))
	must(os.WriteFile(goodFile, enterpriseSheet(t, [][]string{
		{good1, "船山浏览器测试科技有限公司", "船山区", "电子信息", "", "", "", "GR202351000777", "2023-06-01"},
		{good2, "船山浏览器测试二号有限公司", "船山区", "食品"}}), 0o600))

	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	must(chromedp.Do(ctx,
		chromedp.Click(`nav.app-nav a[href="/registry"]`),
		chromedp.WaitVisible(`.registry-kind[data-kind="enterprises"]`),
		chromedp.Click(`.registry-kind[data-kind="enterprises"] a[href="/registry/enterprises/import"]`),
		chromedp.WaitVisible(`input[type="file"]#file`),
		chromedp.SetUploadFiles(`#file`, []string{badFile}),
		chromedp.Click(`#import-upload`),
		chromedp.WaitVisible(`table.import-errors`),
	))
	errText, err := chromedp.Run(ctx, chromedp.Text(`tr.import-error`))
	must(err)
	if !strings.Contains(errText, "3") || !strings.Contains(errText, "统一社会信用代码") || !strings.Contains(errText, "校验位错误") {
		t.Fatalf("error row: %q", errText)
	}
	plain, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#import-confirm").length`))
	must(err)
	if plain != 0 {
		t.Fatal("a file with errors offers a plain import")
	}
	testenv.Screenshot(t, ctx, "registry import errors")

	must(chromedp.Do(ctx,
		chromedp.Click(`a[href="/registry/enterprises/import"].btn`),
		chromedp.WaitVisible(`input[type="file"]#file`),
		chromedp.SetUploadFiles(`#file`, []string{goodFile}),
		chromedp.Click(`#import-upload`),
		chromedp.WaitVisible(`#import-confirm`),
		chromedp.Click(`#import-confirm`),
		chromedp.WaitVisible(`table.registry-list`),
	))
	flash, err := chromedp.Run(ctx, chromedp.Text(".flash-success"))
	must(err)
	list, err := chromedp.Run(ctx, chromedp.Text("table.registry-list"))
	must(err)
	if !strings.Contains(flash, "新增 2 条") || !strings.Contains(list, "船山浏览器测试二号有限公司") || !strings.Contains(list, good1) {
		t.Fatalf("after import: flash %q, list %q", flash, list)
	}
	testenv.Screenshot(t, ctx, "registry list after import")
}
