package importer

import (
	"fmt"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
)

// UnitChoice is what the reviewer decided about a unit of one item (issue
// 8): the units the parser found are suggestions, saved as such unless
// the reviewer accepts one as lead or co-unit, or rejects it; a unit the
// reviewer adds (Name empty, UnitID set) corrects what the parser missed.
type UnitChoice struct {
	Item   string // ItemKey: "s0.2" (section 0, item 2) or "k3" (key item 3)
	Name   string // the suggested name; "" for a unit the reviewer adds
	Role   string // lead, co or reject; "" leaves the suggestion open
	UnitID int64  // the unit added
}

// ItemKey names a work item (section si, item ii) or a key item (ki when
// si < 0) in review forms.
func ItemKey(si, ii int) string {
	if si < 0 {
		return fmt.Sprintf("k%d", ii)
	}
	return fmt.Sprintf("s%d.%d", si, ii)
}

// SuggestedUnits lists the names the parser found for t, in the order the
// store records them: the table's lead and co columns, then the text's.
func SuggestedUnits(t plan.Task) []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]string{t.LeadUnits, t.CoUnits, t.Units} {
		for _, n := range list {
			n = strings.TrimSpace(n)
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// applyUnitChoices writes the reviewer's unit decisions for the plan just
// created, in the same transaction.
func applyUnitChoices(tx *store.Tx, p *plan.Plan, choices []UnitChoice) error {
	ids := map[string]int64{}
	for si, s := range p.Sections {
		for ii, t := range s.Items {
			ids[ItemKey(si, ii)] = t.ID
		}
	}
	for ki, k := range p.KeyItems {
		ids[ItemKey(-1, ki)] = k.ID
	}
	for _, c := range choices {
		taskID, ok := ids[c.Item]
		if !ok || c.Role == "" {
			continue
		}
		if c.Role != "lead" && c.Role != "co" && c.Role != "reject" {
			return apperr.New(apperr.Invalid, "单位的处理方式须为牵头、配合或不采纳")
		}
		unitID := c.UnitID
		if c.Name != "" {
			id, sugUnit, version, err := tx.SuggestionByName(taskID, c.Name)
			if err != nil {
				return err
			}
			state := "accepted"
			if c.Role == "reject" {
				state = "rejected"
			}
			if err := tx.SetSuggestionState(id, state, version); err != nil {
				return err
			}
			if c.Role == "reject" {
				continue
			}
			if unitID == 0 {
				unitID = sugUnit
			}
			if unitID == 0 {
				return apperr.New(apperr.Invalid, "没有名为「%s」的单位,请改选一个单位", c.Name)
			}
		}
		if unitID == 0 || c.Role == "reject" {
			continue
		}
		if err := tx.Assign(taskID, unitID, c.Role); err != nil && !store.IsUniqueViolation(err) {
			return err
		}
	}
	return nil
}
