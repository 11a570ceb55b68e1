package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
)

// describe turns a field error into one line per field for the terminal.
func describe(err error) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s", k, e.Fields[k])
	}
	return fmt.Errorf("%s", b.String())
}
