// Package i18n holds the UI catalogues: zh-CN first, English second. A key
// missing from a catalogue falls back to zh-CN; a test keeps them in step.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
)

// Default is the language shown when the user has not chosen one.
const Default = "zh-CN"

// Langs lists the supported languages in menu order.
var Langs = []string{"zh-CN", "en"}

// Catalogues are split by area: <lang>.json and <area>.<lang>.json files
// are merged; a key defined twice is an error.
//
//go:embed *.json
var files embed.FS

var catalogues = map[string]map[string]string{}

func init() {
	for _, lang := range Langs {
		names, _ := fs.Glob(files, "*"+lang+".json")
		m := map[string]string{}
		for _, name := range names {
			if name != lang+".json" && !strings.HasSuffix(name, "."+lang+".json") {
				continue
			}
			b, err := files.ReadFile(name)
			if err != nil {
				panic(fmt.Sprintf("i18n: %s: %v", name, err))
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				panic(fmt.Sprintf("i18n: %s: %v", name, err))
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					panic(fmt.Sprintf("i18n: %s: key %q defined twice", name, k))
				}
				m[k] = v
			}
		}
		catalogues[lang] = m
	}
}

// Match returns the supported language closest to tag (a cookie value or an
// Accept-Language header), or Default.
func Match(tag string) string {
	for _, part := range strings.Split(tag, ",") {
		p := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case p == "":
		case strings.HasPrefix(p, "zh"):
			return "zh-CN"
		case strings.HasPrefix(p, "en"):
			return "en"
		}
	}
	return Default
}

// T returns the text for key in lang, formatted with args when given. An
// unknown key returns the key itself, so a missing entry shows in the page.
func T(lang, key string, args ...any) string {
	s, ok := catalogues[lang][key]
	if !ok {
		s, ok = catalogues[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Keys returns the keys of lang's catalogue (tests).
func Keys(lang string) []string {
	var out []string
	for k := range catalogues[lang] {
		out = append(out, k)
	}
	return out
}
