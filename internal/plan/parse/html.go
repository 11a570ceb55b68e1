package parse

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// htmlBlocks reads the text of an HTML page as saved from a website: one
// paragraph per block element or <br>, tables as rows of cells (layout
// tables give up their content as paragraphs). The page's charset
// (often GB2312/GBK on government sites) is honoured.
func htmlBlocks(data []byte) []block {
	switch _, name, _ := charset.DetermineEncoding(data, "text/html"); name {
	case "utf-8":
	case "windows-1252":
		// The fallback when the page declares nothing: Chinese pages without
		// a declaration are UTF-8 or GBK.
		data = []byte(decodeText(data))
	default:
		data = []byte(decodeHTML(data, name))
	}
	z := html.NewTokenizer(bytes.NewReader(data))
	var b builder
	skip := 0 // depth inside elements whose text is not content
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.finish()
		case html.TextToken:
			if skip == 0 {
				b.text(strings.ToValidUTF8(string(z.Text()), ""))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			end := tt == html.EndTagToken
			switch string(name) {
			case "script", "style", "head", "title", "noscript", "template", "iframe", "select", "textarea", "object":
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
			case "body":
				skip = 0 // a <head> left open
			case "table":
				if end {
					b.endTable()
				} else {
					b.startTable()
				}
			case "tr":
				if end {
					b.br()
				} else {
					b.startRow()
				}
			case "td", "th":
				if end {
					b.br()
				} else {
					b.startCell()
				}
			case "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
				"section", "article", "header", "footer", "nav", "blockquote", "pre", "hr",
				"dd", "dt", "dl", "center", "caption", "form", "main", "aside", "address":
				b.br()
			}
		}
	}
}

func decodeHTML(data []byte, name string) string {
	e, _ := charset.Lookup(name)
	if e == nil {
		return decodeText(data)
	}
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return decodeText(data)
	}
	return string(out)
}

// looksHTML reports whether data starts like an HTML document.
func looksHTML(data []byte) bool {
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(data[:min(len(data), 1024)], []byte{0xEF, 0xBB, 0xBF}), " \t\r\n"))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<!--"} {
		if bytes.HasPrefix(head, []byte(p)) {
			return p != "<!--" || bytes.Contains(head, []byte("<html"))
		}
	}
	return false
}
