// Package org holds the tree of org units: the city, its counties and
// districts (by 6-digit division code), parks, the bureau and its sections.
package org

import (
	"regexp"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/text"
)

// Kind is the kind of an org unit.
type Kind string

const (
	City     Kind = "city"
	County   Kind = "county"   // 县, 县级市
	District Kind = "district" // 区
	Park     Kind = "park"     // 高新区, 经开区, 新区
	Bureau   Kind = "bureau"   // the department that owns the plan
	Section  Kind = "section"  // a section (科室) of the bureau
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{City, County, District, Park, Bureau, Section}

// Unit is one org unit.
type Unit struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Kind         Kind   `json:"kind"`
	ParentID     int64  `json:"parent_id,omitempty"`
	DivisionCode string `json:"division_code,omitempty"`
	Sort         int    `json:"sort"`
	Version      int64  `json:"version"`
}

var (
	divisionRE = regexp.MustCompile(`^[1-8][0-9]{5}$`)
	codeRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
)

// Validate checks a unit's fields.
func (u *Unit) Validate() error {
	fields := map[string]string{}
	u.Name = strings.TrimSpace(u.Name)
	u.Code = strings.TrimSpace(u.Code)
	u.DivisionCode = strings.TrimSpace(u.DivisionCode)
	if u.Name == "" {
		fields["name"] = "请填写单位名称"
	} else if len([]rune(u.Name)) > 60 {
		fields["name"] = "单位名称不能超过60个字"
	} else if msg := text.Line("单位名称", u.Name); msg != "" {
		fields["name"] = msg
	}
	if !codeRE.MatchString(u.Code) {
		fields["code"] = "单位编码须为1至40位字母、数字、下划线、点或短横线"
	}
	switch u.Kind {
	case City, County, District, Park, Bureau, Section:
	default:
		fields["kind"] = "请选择单位类型"
	}
	if u.DivisionCode != "" && !divisionRE.MatchString(u.DivisionCode) {
		fields["division_code"] = "行政区划代码须为6位数字"
	}
	if (u.Kind == County || u.Kind == District || u.Kind == City) && u.DivisionCode == "" {
		fields["division_code"] = "市、县(市、区)须填写6位行政区划代码"
	}
	if u.Kind != City && u.ParentID == 0 {
		fields["parent_id"] = "请选择上级单位"
	}
	if len(fields) > 0 {
		return apperr.WithFields("单位信息有误", fields)
	}
	return nil
}

// Tree orders units depth-first from the roots and reports each unit's depth.
type Node struct {
	Unit
	Depth int
}

// Flatten returns units in tree order (parents before children, siblings by
// sort then name) with their depth.
func Flatten(units []Unit) []Node {
	children := map[int64][]Unit{}
	ids := map[int64]bool{}
	for _, u := range units {
		ids[u.ID] = true
	}
	for _, u := range units {
		p := u.ParentID
		if !ids[p] {
			p = 0
		}
		children[p] = append(children[p], u)
	}
	var out []Node
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, u := range children[parent] {
			out = append(out, Node{Unit: u, Depth: depth})
			if depth < 32 {
				walk(u.ID, depth+1)
			}
		}
	}
	walk(0, 0)
	return out
}

// Subtree returns the ids of root and every unit below it.
func Subtree(units []Unit, root int64) []int64 {
	children := map[int64][]int64{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u.ID)
	}
	out := []int64{root}
	seen := map[int64]bool{root: true}
	for i := 0; i < len(out); i++ {
		for _, c := range children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// Root returns the top of the tree (the city): among the units with no
// parent, a city first, then the lowest sort and id. ok is false for no
// units.
func Root(units []Unit) (root Unit, ok bool) {
	better := func(a, b Unit) bool {
		if (a.Kind == City) != (b.Kind == City) {
			return a.Kind == City
		}
		if a.Sort != b.Sort {
			return a.Sort < b.Sort
		}
		return a.ID < b.ID
	}
	for _, u := range units {
		if u.ParentID == 0 && (!ok || better(u, root)) {
			root, ok = u, true
		}
	}
	return root, ok
}
