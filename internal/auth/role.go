// Package auth holds users, roles, password rules, sessions and the data
// scope of a signed-in actor.
package auth

// Role is a user's one role. The three administrators are separated as
// 等保 2.0 asks: none of them can change plan data, and no account holds two.
type Role string

const (
	Staff    Role = "staff"    // bureau staff: manage plans, review, registries
	Reporter Role = "reporter" // unit reporter: its own unit's tasks only
	Leader   Role = "leader"   // reads everything
	SysAdmin Role = "sysadmin" // users and units only
	SecAdmin Role = "secadmin" // security policy only
	Auditor  Role = "auditor"  // reads the audit log only
)

// Roles lists every role in display order.
var Roles = []Role{Staff, Reporter, Leader, SysAdmin, SecAdmin, Auditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// IsAdmin reports whether r is one of the three administrator roles.
func (r Role) IsAdmin() bool { return r == SysAdmin || r == SecAdmin || r == Auditor }

// ReadsPlans reports whether r may see plan data at all.
func (r Role) ReadsPlans() bool { return r == Staff || r == Reporter || r == Leader }

// EditsPlans reports whether r may create or change plans.
func (r Role) EditsPlans() bool { return r == Staff }
