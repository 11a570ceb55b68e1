package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanParseJSON checks the stable contract of `luoshi plan parse FILE
// --json` (DESIGN.md): field names, nesting, values in yuan, no ids, and
// nothing saved.
func TestPlanParseJSON(t *testing.T) {
	seed := filepath.Join("..", "..", "internal", "demo", "plan.txt")
	for _, args := range [][]string{{"plan", "parse", seed, "--json"}, {"plan", "parse", "--json", seed}} {
		out, _, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if doc["title"] != "2023年全市科技创新工作要点" || doc["issuer"] != "遂宁市科学技术局" ||
			doc["issued_on"] != "2023-02-28" || doc["year"] != float64(2023) {
			t.Fatalf("metadata: %v %v %v %v", doc["title"], doc["issuer"], doc["issued_on"], doc["year"])
		}
		if _, ok := doc["id"]; ok {
			t.Error("a parse result has an id")
		}
		targets := doc["targets"].([]any)
		first := targets[0].(map[string]any)
		if len(targets) != 5 || first["name"] != "国家高新技术企业" || first["value"] != float64(185) ||
			first["unit"] != "家" || first["comparator"] != ">=" || first["source"] != "全年国家高新技术企业达到185家" {
			t.Fatalf("targets: %v", targets)
		}
		if !strings.Contains(out, `"value": 1530000000,`) {
			t.Error("15.3亿元 is not 1530000000 yuan in the JSON")
		}
		sections := doc["sections"].([]any)
		s1 := sections[0].(map[string]any)
		item := s1["items"].([]any)[0].(map[string]any)
		if len(sections) != 6 || s1["no"] != float64(1) || item["no"] != float64(1) || item["title"] != "全面融入成渝双城经济圈建设" ||
			item["text"] == "" || item["targets"] == nil {
			t.Fatalf("sections: %v", s1)
		}
		keys := doc["key_items"].([]any)
		k9 := keys[8].(map[string]any)
		m := k9["measures"].([]any)[1].(map[string]any)
		if len(keys) != 10 || m["no"] != float64(2) || m["done"] != true || m["done_note"] != "2022年12月已完成,顺利通过答辩" {
			t.Fatalf("key item 9: %v", k9)
		}
	}
	// Not a plan: a clear error, non-zero exit.
	bad := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(bad, []byte("今天开会，讨论了若干事项。\n"), 0o600)
	if _, _, err := runCmd(t, "", "plan", "parse", bad, "--json"); err == nil || !strings.Contains(err.Error(), "未识别到") {
		t.Fatalf("not a plan: %v", err)
	}
	if _, _, err := runCmd(t, "", "plan", "parse", "--json"); err == nil {
		t.Fatal("no file: want an error")
	}
}
