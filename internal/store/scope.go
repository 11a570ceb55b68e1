package store

import (
	"strings"

	"github.com/luoshi/luoshi/internal/auth"
)

// taskInScope returns a condition, in parentheses, that holds for the task
// whose id column is taskCol when the scope may see it: everything for the
// bureau's roles, else a responsibility of one of the scope's units. It is
// ANDed into every task query, so another unit's task reads as not found.
func taskInScope(scope auth.Scope, taskCol string) (string, []any) {
	if scope.All {
		return "(1 = 1)", nil
	}
	if len(scope.Units) == 0 {
		return "(1 = 0)", nil
	}
	args := make([]any, len(scope.Units))
	for i, u := range scope.Units {
		args[i] = u
	}
	return "(EXISTS (SELECT 1 FROM responsibilities sr WHERE sr.task_id = " + taskCol +
		" AND sr.unit_id IN (?" + strings.Repeat(", ?", len(scope.Units)-1) + ")))", args
}
