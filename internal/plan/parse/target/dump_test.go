package target

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(os.Getenv("DUMP"))
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		fmt.Println(line)
		for _, tg := range Extract(line) {
			fmt.Println("    ", describe(tg))
		}
	}
}
