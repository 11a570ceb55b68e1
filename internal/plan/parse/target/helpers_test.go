package target

import (
	"fmt"
	"strconv"

	"github.com/luoshi/luoshi/internal/plan"
)

// describe renders a target on one line for comparisons and messages.
func describe(t plan.Target) string {
	stretch := "-"
	if t.Stretch != nil {
		stretch = strconv.FormatFloat(*t.Stretch, 'f', -1, 64)
	}
	return fmt.Sprintf("%s %s %s %s inc=%v stretch=%s display=%s source=%s",
		t.Name, t.Comparator, strconv.FormatFloat(t.Value, 'f', -1, 64), t.Unit,
		t.Increment, stretch, t.Display, t.Source)
}
