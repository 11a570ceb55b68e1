package web

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/importer"
)

// Units on the import review (issue 8): each unit the parser found for an
// item is a suggestion with a choice (待定, 牵头, 配合, 不采纳), and the
// reviewer may add a lead or co-unit the parser missed.

// unitRoleField names the choice for the n-th suggested unit of an item.
func unitRoleField(item string, n int) string { return fmt.Sprintf("unitrole.%s.%d", item, n) }

// unitAddField names the select that adds a unit as role to an item.
func unitAddField(item, role string) string { return fmt.Sprintf("unitadd.%s.%s", item, role) }

// unitChoices reads the reviewer's unit decisions from the form.
func unitChoices(form url.Values, p *plan.Plan) []importer.UnitChoice {
	var out []importer.UnitChoice
	one := func(item string, t plan.Task) {
		for n, name := range importer.SuggestedUnits(t) {
			if role := form.Get(unitRoleField(item, n)); role != "" {
				out = append(out, importer.UnitChoice{Item: item, Name: name, Role: role})
			}
		}
		for _, role := range []string{"lead", "co"} {
			if id, err := strconv.ParseInt(form.Get(unitAddField(item, role)), 10, 64); err == nil && id > 0 {
				out = append(out, importer.UnitChoice{Item: item, Role: role, UnitID: id})
			}
		}
	}
	for si, s := range p.Sections {
		for ii, t := range s.Items {
			one(importer.ItemKey(si, ii), t)
		}
	}
	for ki, k := range p.KeyItems {
		one(importer.ItemKey(-1, ki), k)
	}
	return out
}

// suggestedUnit is one suggested unit of an item on the review page.
type suggestedUnit struct {
	Name  string
	Hint  string // lead or co, as the table column or the text has it
	Field string
	Role  string // as submitted
}

// Suggested lists an item's suggested units with their inputs; si < 0
// means key item ii.
func (p *reviewPage) Suggested(si, ii int, t plan.Task) []suggestedUnit {
	item := importer.ItemKey(si, ii)
	co := map[string]bool{}
	for _, n := range t.CoUnits {
		co[n] = true
	}
	var out []suggestedUnit
	for n, name := range importer.SuggestedUnits(t) {
		f := unitRoleField(item, n)
		u := suggestedUnit{Name: name, Hint: "lead", Field: f, Role: p.V(f, "")}
		if co[name] {
			u.Hint = "co"
		}
		out = append(out, u)
	}
	return out
}

// unitCell is the units cell of one item on the review page.
type unitCell struct {
	P         *reviewPage
	Suggested []suggestedUnit
	Adds      []unitAdd
}

// unitAdd is a select adding a unit to an item as lead or co-unit.
type unitAdd struct {
	Field, Label, Value string
}

// UnitCell builds the units cell of work item (si, ii), or of key item
// ii when si < 0.
func (p *reviewPage) UnitCell(si, ii int, t plan.Task) unitCell {
	c := unitCell{P: p, Suggested: p.Suggested(si, ii, t)}
	for _, role := range []string{"lead", "co"} {
		f := unitAddField(importer.ItemKey(si, ii), role)
		c.Adds = append(c.Adds, unitAdd{Field: f, Label: "import.add_" + role, Value: p.V(f, "")})
	}
	return c
}
