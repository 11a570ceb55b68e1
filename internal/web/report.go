package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/store"
)

// Assignment and monthly reporting pages (issue 8).
var (
	reporterOnly = []auth.Role{auth.Reporter}
	reviewers    = []auth.Role{auth.Staff, auth.Leader}
)

func (s *Server) reportRoutes() []route {
	return []route{
		{"GET /my/tasks", s.myTasks, reporterOnly},
		{"GET /plans/{id}/assign", s.assignPage, staffOnly},
		{"POST /plans/{id}/assign", s.assignSave, staffOnly},
		{"POST /plans/{id}/rules", s.rulesSave, staffOnly},
		{"POST /suggestions/{id}", s.suggestionDecide, staffOnly},
		{"GET /plans/{id}/report", s.sheetPage, reporterOnly},
		{"POST /plans/{id}/report", s.sheetSave, reporterOnly},
		{"GET /plans/{id}/review", s.reviewList, reviewers},
		{"POST /reports/{id}/review", s.reportReview, staffOnly},
		{"POST /plans/{id}/review/approve", s.reviewApproveAll, staffOnly},
		{"GET /reports/{id}", s.reportPage, planReaders},
		{"GET /reports/{id}/files/{sha}", s.reportFile, planReaders},
		{"POST /reports/{id}/files/{sha}/remove", s.reportFileRemove, reporterOnly},
	}
}

func init() {
	// The month's sheet carries evidence files; the assignment table is
	// as long as the plan.
	bodyLimits["POST /plans/{id}/report"] = bodyLimit{40 << 20, "提交的内容过大:每个佐证材料不超过 20 MB,一次最多约 40 MB"}
	bodyLimits["POST /plans/{id}/assign"] = bodyLimit{2 << 20, "提交的内容过大"}
}

// planFor reads the plan of the {id} path value in the actor's scope.
func (s *Server) planFor(r *http.Request) (*store.PlanRef, period.Rules, int, error) {
	p, rules, year, err := s.planWithRules(r)
	if err != nil {
		return nil, rules, 0, err
	}
	return &store.PlanRef{ID: p.ID, Title: p.Title, Status: p.Status}, rules, year, nil
}

// planWithRules is planFor with the whole plan.
func (s *Server) planWithRules(r *http.Request) (*plan.Plan, period.Rules, int, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, period.Rules{}, 0, err
	}
	p, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return nil, period.Rules{}, 0, err
	}
	rules, year, err := s.db.PlanRules(r.Context(), id)
	if err != nil {
		return nil, rules, 0, err
	}
	return p, rules, year, nil
}

// periodOption is one period in a chooser.
type periodOption struct {
	Key, Label string
}

func periodOptions(rules period.Rules, year int) []periodOption {
	var out []periodOption
	for _, p := range rules.Year(year) {
		out = append(out, periodOption{p.Key(), p.Label()})
	}
	return out
}

// ---- 我的任务 ----

type myTasksPage struct {
	Layout
	PlanID int64
	Rows   []report.Assignment
	Unit   int64
	Period string
}

// myTasks lists what the reporter's units lead or help with in the
// current plan, with people, dates and milestones.
func (s *Server) myTasks(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	planID, err := s.db.CurrentPlanID(r.Context(), a.Scope, s.db.Now().In(reporting.Loc).Year())
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "my.tasks", "my.tasks")
	if err != nil {
		return err
	}
	l.PlanID = planID
	l.Crumbs = []Crumb{{Label: l.T("my.tasks")}}
	page := &myTasksPage{Layout: l, PlanID: planID, Unit: a.UnitID}
	if planID != 0 {
		if page.Rows, err = s.db.Assignments(r.Context(), a.Scope, store.AssignmentFilter{PlanID: planID, Units: a.Scope.Units}); err != nil {
			return err
		}
		rules, year, err := s.db.PlanRules(r.Context(), planID)
		if err != nil {
			return err
		}
		page.Period = rules.Clamp(year, s.db.Now()).Key()
	}
	return s.render(w, http.StatusOK, "my_tasks", page)
}

// Role says how the page's unit takes part in an assignment.
func (p *myTasksPage) Role(a report.Assignment) string {
	for _, u := range a.LeadUnits {
		for _, id := range p.Actor.Scope.Units {
			if u.ID == id {
				return "lead"
			}
		}
	}
	return "co"
}

// ---- 任务分工 (staff) ----

type assignPage struct {
	Layout
	Plan   *store.PlanRef
	Rules  period.Rules
	PlanV  int64
	Rows   []report.Assignment
	Units  []org.Unit
	Users  []auth.User // who may be named as the responsible person
	Filter int64
	Form   url.Values
	Fields map[string]string
	Error  string
}

func (s *Server) assignPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssign(w, r, http.StatusOK, nil, nil, "")
}

func (s *Server) renderAssign(w http.ResponseWriter, r *http.Request, status int, form url.Values, fields map[string]string, msg string) error {
	p, rules, _, err := s.planWithRules(r)
	if err != nil {
		return err
	}
	ref := &store.PlanRef{ID: p.ID, Title: p.Title, Status: p.Status}
	l, err := s.layout(w, r, "plan.assign", "plan.assign")
	if err != nil {
		return err
	}
	l.PlanID = ref.ID
	l.Crumbs = []Crumb{{Label: l.T("nav.plans"), URL: "/plans"}, {Label: ref.Title, URL: fmt.Sprintf("/plans/%d", ref.ID)}, {Label: l.T("plan.assign")}}
	page := &assignPage{Layout: l, Plan: ref, Rules: rules, PlanV: p.Version, Form: form, Fields: fields, Error: msg}
	page.Filter, _ = strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	if form != nil {
		page.Filter, _ = strconv.ParseInt(form.Get("unit"), 10, 64)
	}
	f := store.AssignmentFilter{PlanID: ref.ID}
	if page.Filter != 0 {
		f.Units = []int64{page.Filter}
	}
	if page.Rows, err = s.db.Assignments(r.Context(), auth.Everything, f); err != nil {
		return err
	}
	if page.Units, err = s.db.Units(r.Context()); err != nil {
		return err
	}
	if page.Users, err = s.personUsers(r); err != nil {
		return err
	}
	return s.render(w, status, "assign", page)
}

// V is what an input shows: the submitted value, else def.
func (p *assignPage) V(name string, def any) string {
	if p.Form != nil && p.Form.Has(name) {
		return p.Form.Get(name)
	}
	return fmt.Sprint(def)
}

// Selected reports whether unit is chosen in the select name.
func (p *assignPage) Selected(name string, unit int64, def []report.UnitRef) bool {
	if p.Form != nil {
		for _, v := range p.Form[name] {
			if v == strconv.FormatInt(unit, 10) {
				return true
			}
		}
		return false
	}
	for _, u := range def {
		if u.ID == unit {
			return true
		}
	}
	return false
}

// personUsers lists the accounts that may be named as a responsible
// person: those that work on plans (not the administrators).
func (s *Server) personUsers(r *http.Request) ([]auth.User, error) {
	all, err := s.db.Users(r.Context())
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range all {
		if u.Role.ReadsPlans() && !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}

// Milestones writes milestones one a line, as the textarea takes them.
func (p *assignPage) Milestones(a report.Assignment) string {
	var b strings.Builder
	for _, m := range a.Milestones {
		fmt.Fprintf(&b, "%s %s\n", m.DueOn, m.Deliverable)
	}
	return b.String()
}

// Print is the fingerprint of a row as shown: a save writes only the rows
// whose fingerprint changed, so that saving the table does not touch (or
// conflict on) rows nobody edited.
func (p *assignPage) Print(a report.Assignment) string { return fingerprint(inputOfRow(a)) }

// inputOfRow is what a row's inputs show: the item's own assignment. A
// measure that follows its key item shows empty inputs (the key item's
// values are placeholders) until someone assigns it.
func inputOfRow(a report.Assignment) report.AssignmentInput {
	in := report.AssignmentInput{TaskID: a.TaskID, MeasureID: a.MeasureID, PersonName: a.PersonName, PersonPhone: a.PersonPhone,
		PersonUserID: a.PersonUserID, DueOn: a.DueOn, Milestones: a.Milestones}
	if a.Inherited && a.ID == 0 {
		in.PersonName, in.PersonPhone, in.PersonUserID, in.DueOn = "", "", 0, a.PlanDue
	}
	if !a.Inherited {
		for _, u := range a.LeadUnits {
			in.LeadUnitIDs = append(in.LeadUnitIDs, u.ID)
		}
		for _, u := range a.CoUnits {
			in.CoUnitIDs = append(in.CoUnitIDs, u.ID)
		}
	}
	return in
}

// Own is what a row's inputs show (inputOfRow).
func (p *assignPage) Own(a report.Assignment) report.AssignmentInput { return inputOfRow(a) }

func fingerprint(in report.AssignmentInput) string {
	ids := func(v []int64) string {
		s := append([]int64{}, v...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return fmt.Sprint(s)
	}
	var ms []string
	for _, m := range in.Milestones {
		ms = append(ms, m.DueOn+" "+m.Deliverable)
	}
	return strings.Join([]string{ids(in.LeadUnitIDs), ids(in.CoUnitIDs), in.PersonName, in.PersonPhone,
		strconv.FormatInt(in.PersonUserID, 10), in.DueOn,
		strings.Join(ms, "\n")}, "|")
}

// assignSave saves the rows of the table that changed, in one
// transaction. A bad row re-renders the table as typed with the row's
// messages (422); a row changed meanwhile, with what it is now (409).
func (s *Server) assignSave(w http.ResponseWriter, r *http.Request) error {
	ref, _, _, err := s.planFor(r)
	if err != nil {
		return err
	}
	form := r.PostForm
	rows, err := s.db.Assignments(r.Context(), auth.Everything, store.AssignmentFilter{PlanID: ref.ID})
	if err != nil {
		return err
	}
	var inputs []report.AssignmentInput
	var labels []string
	fields := map[string]string{}
	for i, a := range rows {
		k := a.Key()
		if !form.Has("orig_" + k) {
			continue // not on the page (filtered)
		}
		label := fmt.Sprintf("第%d行「%s」", i+1, clip(a.Title, 12))
		in := report.AssignmentInput{TaskID: a.TaskID, MeasureID: a.MeasureID, PersonName: form.Get("person_" + k),
			PersonPhone: form.Get("phone_" + k), DueOn: strings.TrimSpace(form.Get("due_" + k))}
		if name := strings.TrimSpace(form.Get("user_" + k)); name != "" {
			u, _, err := s.db.UserCredentials(r.Context(), auth.NormalizeUsername(name))
			if err != nil || !u.Role.ReadsPlans() {
				fields[label+" user"] = label + " 没有名为「" + name + "」的填报或工作人员账号"
				continue
			}
			in.PersonUserID = u.ID
		}
		in.LeadUnitIDs = formIDs(form["lead_"+k])
		in.CoUnitIDs = formIDs(form["co_"+k])
		for _, line := range strings.Split(strings.ReplaceAll(form.Get("milestones_"+k), "\r", ""), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			date, what, _ := strings.Cut(line, " ")
			in.Milestones = append(in.Milestones, report.Milestone{DueOn: date, Deliverable: strings.TrimSpace(what)})
		}
		if fingerprint(in) == form.Get("orig_"+k) {
			continue
		}
		if a.Inherited && len(in.LeadUnitIDs) == 0 && fingerprint(in) == fingerprint(report.AssignmentInput{TaskID: a.TaskID, MeasureID: a.MeasureID}) {
			continue
		}
		in.Version, _ = strconv.ParseInt(form.Get("version_"+k), 10, 64)
		inputs = append(inputs, in)
		labels = append(labels, label+" ")
	}
	if len(fields) > 0 {
		return s.renderAssign(w, r, http.StatusUnprocessableEntity, form, fields, "分工信息有误,请按提示修改")
	}
	if len(inputs) == 0 {
		return s.redirectFlash(w, r, assignURL(ref.ID, form.Get("unit")), l10n(r, "assign.nothing"))
	}
	err = s.reports.SaveAssignments(r.Context(), s.source(r), auth.ActorFrom(r.Context()), inputs, labels)
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		for k, v := range e.Fields {
			fields[k] = v
		}
		status := http.StatusUnprocessableEntity
		if e.Code == apperr.Conflict {
			status = http.StatusConflict
			form = nil // show what is saved now
		}
		return s.renderAssign(w, r, status, form, fields, e.Message)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, assignURL(ref.ID, form.Get("unit")), l10n(r, "assign.saved", len(inputs)))
}

func assignURL(planID int64, unit string) string {
	u := fmt.Sprintf("/plans/%d/assign", planID)
	if unit != "" && unit != "0" {
		u += "?unit=" + url.QueryEscape(unit)
	}
	return u
}

func formIDs(vs []string) []int64 {
	var out []int64
	for _, v := range vs {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ErrorList lists the field messages, sorted.
func (p *assignPage) ErrorList() []string { return sortedValues(p.Fields) }

func sortedValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// suggestionDecide accepts (as lead or co-unit, possibly corrected to
// another unit) or rejects one suggested unit.
func (s *Server) suggestionDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	unit, _ := strconv.ParseInt(r.PostFormValue("unit"), 10, 64)
	role := r.PostFormValue("role")
	if role == "reject" {
		role = ""
	}
	err = s.reports.DecideSuggestion(r.Context(), s.source(r), auth.ActorFrom(r.Context()), id, version, role, unit)
	back := localPath(r.PostFormValue("back"))
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal && e.Code != apperr.NotFound {
		msg := e.Message
		for _, v := range sortedValues(e.Fields) {
			msg += ";" + v
		}
		return s.redirectFlash(w, r, back, msg)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, back, l10n(r, "assign.suggestion_done"))
}

// rulesSave sets the plan's reporting frequency and window.
func (s *Server) rulesSave(w http.ResponseWriter, r *http.Request) error {
	ref, _, _, err := s.planFor(r)
	if err != nil {
		return err
	}
	open, _ := strconv.Atoi(r.PostFormValue("open_day"))
	closeDay, _ := strconv.Atoi(r.PostFormValue("close_day"))
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	rules := period.Rules{Frequency: period.Frequency(r.PostFormValue("frequency")), OpenDay: open, CloseDay: closeDay}
	err = s.reports.SetRules(r.Context(), s.source(r), auth.ActorFrom(r.Context()), ref.ID, rules, version)
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
		return s.renderAssign(w, r, httpStatus(e.Code), nil, e.Fields, e.Message)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, assignURL(ref.ID, ""), l10n(r, "assign.rules_saved"))
}

// ---- the unit's month (one screen per unit per period) ----

type sheetPage struct {
	Layout
	reportValues
	Plan     *store.PlanRef
	Period   period.Period
	Periods  []periodOption
	Open     string // window, as dates
	Close    string
	Standing period.Standing
	Unit     org.Unit
	Units    []org.Unit // the reporter's units that lead something
	Rows     []store.SheetRow
	Form     url.Values
	Fields   map[string]string
	Error    string
	Counts   map[string]int
}

// sheetUnits are the units of the reporter's scope, its own first.
func (s *Server) sheetUnits(r *http.Request) ([]org.Unit, error) {
	a := auth.ActorFrom(r.Context())
	all, err := s.db.Units(r.Context())
	if err != nil {
		return nil, err
	}
	var out []org.Unit
	for _, u := range all {
		if a.Scope.Has(u.ID) {
			if u.ID == a.UnitID {
				out = append([]org.Unit{u}, out...)
			} else {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// defaultPeriod is the earliest period of the year, up to the current one,
// in which the unit still owes something; else the current period. It
// returns that period's sheet too, which it has read to decide.
func (s *Server) defaultPeriod(r *http.Request, planID int64, rules period.Rules, year int, unit int64) (period.Period, []store.SheetRow, error) {
	cur := rules.Clamp(year, s.db.Now())
	scope := auth.ActorFrom(r.Context()).Scope
	for _, p := range rules.Year(year) {
		if cur.Before(p) {
			break
		}
		rows, err := s.db.Sheet(r.Context(), scope, planID, p.Key(), []int64{unit})
		if err != nil {
			return cur, nil, err
		}
		for _, row := range rows {
			if row.Report.Status.Editable() {
				return p, rows, nil
			}
		}
		if p == cur {
			return cur, rows, nil
		}
	}
	rows, err := s.db.Sheet(r.Context(), scope, planID, cur.Key(), []int64{unit})
	return cur, rows, err
}

func (s *Server) sheetPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSheet(w, r, http.StatusOK, nil, nil, "")
}

func (s *Server) renderSheet(w http.ResponseWriter, r *http.Request, status int, form url.Values, fields map[string]string, msg string) error {
	ref, rules, year, err := s.planFor(r)
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	units, err := s.sheetUnits(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if form != nil {
		q = form
	}
	unit := units[0]
	if id, _ := strconv.ParseInt(q.Get("unit"), 10, 64); id != 0 {
		found := false
		for _, u := range units {
			if u.ID == id {
				unit, found = u, true
			}
		}
		if !found {
			return apperr.New(apperr.NotFound, "未找到")
		}
	}
	var p period.Period
	var rows []store.SheetRow
	if key := q.Get("period"); key != "" {
		if p, err = period.Parse(key); err != nil || p.Frequency != rules.Frequency || p.Year != year {
			return apperr.New(apperr.NotFound, "未找到")
		}
		if rows, err = s.db.Sheet(r.Context(), a.Scope, ref.ID, p.Key(), []int64{unit.ID}); err != nil {
			return err
		}
	} else if p, rows, err = s.defaultPeriod(r, ref.ID, rules, year, unit.ID); err != nil {
		return err
	}
	l, err := s.layout(w, r, "report.sheet", "report.sheet")
	if err != nil {
		return err
	}
	l.PlanID = ref.ID
	l.Title = unit.Name + " · " + p.Label()
	l.Crumbs = []Crumb{{Label: ref.Title, URL: fmt.Sprintf("/plans/%d", ref.ID)}, {Label: l.T("report.sheet")}, {Label: p.Label()}}
	open, closeDay := rules.Window(p)
	page := &sheetPage{Layout: l, Plan: ref, Period: p, Periods: periodOptions(rules, year), Unit: unit, Units: units,
		Rows: rows, Form: form, Fields: fields, Error: msg, Open: open.Format("2006-01-02"), Close: closeDay.Format("2006-01-02"),
		Counts: map[string]int{}}
	page.Standing = s.standing(rules, p, rows)
	for _, row := range rows {
		page.Counts[statusKey(row.Report.Status)]++
	}
	return s.render(w, status, "sheet", page)
}

// standing judges the unit's period as a whole: by its first submission
// when everything is submitted, else as not yet submitted.
func (s *Server) standing(rules period.Rules, p period.Period, rows []store.SheetRow) period.Standing {
	var first time.Time
	for _, row := range rows {
		if row.Report.SubmittedAt == nil {
			first = time.Time{}
			break
		}
		if first.IsZero() || row.Report.SubmittedAt.After(first) {
			first = *row.Report.SubmittedAt
		}
	}
	return rules.Judge(p, first, s.db.Now(), reporting.Loc)
}

func statusKey(s report.Status) string {
	if s == "" {
		return "none"
	}
	return string(s)
}

// V is what an input shows: the submitted value, else def.
func (p *sheetPage) V(name string, def any) string {
	if p.Form != nil && p.Form.Has(name) {
		return p.Form.Get(name)
	}
	return fmt.Sprint(def)
}

// Val shows an indicator value (empty when none).
func (p *sheetPage) Val(name string, v *float64) string {
	if p.Form != nil && p.Form.Has(name) {
		return p.Form.Get(name)
	}
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// States lists the progress states.
func (p *sheetPage) States() []report.State { return report.States }

// ErrorList lists the field messages, sorted.
func (p *sheetPage) ErrorList() []string { return sortedValues(p.Fields) }

// rowLabel names a row in messages.
func rowLabel(row store.SheetRow) string {
	a := row.Assignment
	if a.MeasureID != 0 {
		return fmt.Sprintf("【重点事项%d·举措%d】", a.TaskNo, a.MeasureNo)
	}
	if a.Kind == "key_item" {
		return fmt.Sprintf("【重点事项%d】", a.TaskNo)
	}
	return fmt.Sprintf("【第%d条】", a.TaskNo)
}

// sheetSave saves every row of the month that was typed in, adds the
// evidence files chosen, and with action=submit submits every editable
// row: one screen, one button.
func (s *Server) sheetSave(w http.ResponseWriter, r *http.Request) error {
	ref, rules, year, err := s.planFor(r)
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	form := r.PostForm
	if r.MultipartForm != nil {
		form = url.Values(r.MultipartForm.Value)
	}
	p, err := period.Parse(form.Get("period"))
	if err != nil || p.Frequency != rules.Frequency || p.Year != year {
		return apperr.New(apperr.NotFound, "未找到")
	}
	unit, _ := strconv.ParseInt(form.Get("unit"), 10, 64)
	if !a.Scope.Has(unit) {
		return apperr.New(apperr.NotFound, "未找到")
	}
	rows, err := s.db.Sheet(r.Context(), a.Scope, ref.ID, p.Key(), []int64{unit})
	if err != nil {
		return err
	}
	var drafts []report.Draft
	var labels []string
	fields := map[string]string{}
	for _, row := range rows {
		k := row.Key()
		if !row.Report.Status.Editable() || !form.Has("version_"+k) {
			continue
		}
		d := report.Draft{TaskID: row.Assignment.TaskID, MeasureID: row.Assignment.MeasureID, UnitID: unit, Period: p.Key(),
			Progress: form.Get("progress_" + k), State: report.State(form.Get("state_" + k)),
			Problems: form.Get("problems_" + k), NextSteps: form.Get("next_" + k), Values: map[int64]*float64{}}
		d.Version, _ = strconv.ParseInt(form.Get("version_"+k), 10, 64)
		label := rowLabel(row)
		if v := strings.TrimSpace(form.Get("percent_" + k)); v != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
			if err != nil {
				fields[label+"percent"] = label + "完成比例须为0至100的整数"
			}
			d.Percent = n
		}
		for _, ind := range row.Values {
			name := fmt.Sprintf("value_%s_%d", k, ind.IndicatorID)
			v := strings.TrimSpace(strings.ReplaceAll(form.Get(name), ",", ""))
			if v == "" {
				if ind.Value != nil {
					d.Values[ind.IndicatorID] = nil
				}
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				fields[label+name] = fmt.Sprintf("%s「%s」须为数字", label, ind.Name)
				continue
			}
			d.Values[ind.IndicatorID] = &x
		}
		if row.Report.ID == 0 && strings.TrimSpace(d.Progress) == "" && strings.TrimSpace(d.Problems) == "" &&
			strings.TrimSpace(d.NextSteps) == "" && len(d.Values) == 0 && d.Percent == row.Report.Percent &&
			(d.State == row.Report.State || d.State == "") {
			continue // nothing typed for this row (what is shown is carried forward)
		}
		if row.Report.ID != 0 && unchanged(row, d) {
			continue
		}
		drafts = append(drafts, d)
		labels = append(labels, label)
	}
	if len(fields) > 0 {
		return s.renderSheet(w, r, http.StatusUnprocessableEntity, form, fields, "填报内容有误,请按提示修改")
	}
	src, ctx := s.source(r), r.Context()
	if len(drafts) > 0 {
		if _, err := s.reports.SaveDrafts(ctx, src, a, drafts, labels); err != nil {
			return s.sheetError(w, r, form, err)
		}
	}
	// Evidence: after the drafts, on the versions they left.
	for _, row := range rows {
		k := row.Key()
		if r.MultipartForm == nil || !row.Report.Status.Editable() {
			continue
		}
		for _, fh := range r.MultipartForm.File["file_"+k] {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			data, err := io.ReadAll(io.LimitReader(f, report.MaxEvidenceSize+1))
			f.Close()
			if err != nil {
				return err
			}
			_, _, err = s.reports.AddEvidence(ctx, src, a, report.Draft{TaskID: row.Assignment.TaskID, MeasureID: row.Assignment.MeasureID,
				UnitID: unit, Period: p.Key()}, fh.Filename, data)
			if err != nil {
				return s.sheetError(w, r, nil, err)
			}
		}
	}
	back := fmt.Sprintf("/plans/%d/report?period=%s&unit=%d", ref.ID, p.Key(), unit)
	if form.Get("action") != "submit" {
		return s.redirectFlash(w, r, back, l10n(r, "report.saved"))
	}
	rows, err = s.db.Sheet(ctx, a.Scope, ref.ID, p.Key(), []int64{unit})
	if err != nil {
		return err
	}
	var ids, versions []int64
	labels = labels[:0]
	for _, row := range rows {
		if row.Report.ID != 0 && row.Report.Status.Editable() {
			ids, versions = append(ids, row.Report.ID), append(versions, row.Report.Version)
			labels = append(labels, rowLabel(row))
		} else if row.Report.ID == 0 {
			fields[rowLabel(row)+"progress"] = rowLabel(row) + "尚未填写"
		}
	}
	if len(fields) > 0 {
		return s.renderSheet(w, r, http.StatusUnprocessableEntity, nil, fields, "尚不能提交,请补全后再提交(已填写的内容已保存为草稿)")
	}
	if err := s.reports.Submit(ctx, src, a, ids, versions, labels); err != nil {
		return s.sheetError(w, r, nil, err)
	}
	return s.redirectFlash(w, r, back, l10n(r, "report.submitted", len(ids)))
}

// unchanged reports whether d says what the row's report already says.
func unchanged(row store.SheetRow, d report.Draft) bool {
	rp := row.Report
	if strings.TrimSpace(d.Progress) != rp.Progress || d.Percent != rp.Percent || d.State != rp.State ||
		strings.TrimSpace(d.Problems) != rp.Problems || strings.TrimSpace(d.NextSteps) != rp.NextSteps {
		return false
	}
	for id, v := range d.Values {
		var old *float64
		for _, x := range row.Values {
			if x.IndicatorID == id {
				old = x.Value
			}
		}
		if (v == nil) != (old == nil) || (v != nil && *v != *old) {
			return false
		}
	}
	return true
}

// sheetError re-renders the month with the error: as typed for invalid
// input (422); from the database for a conflict (409), whose message says
// what the other person changed.
func (s *Server) sheetError(w http.ResponseWriter, r *http.Request, form url.Values, err error) error {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal || e.Code == apperr.NotFound || e.Code == apperr.Forbidden {
		return err
	}
	if e.Code == apperr.Conflict {
		form = nil
	}
	fields := e.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return s.renderSheet(w, r, httpStatus(e.Code), form, fields, e.Message)
}

// ---- review (staff), read by leaders ----

type reviewListPage struct {
	Layout
	reportValues
	Plan    *store.PlanRef
	Period  period.Period
	Periods []periodOption
	Status  string
	Units   []org.Unit
	Unit    int64
	Reports []report.Report
	// Missing are the items due with no report, or only a draft.
	Missing []store.SheetRow
	Error   string
}

func (s *Server) latestReported(r *http.Request, planID int64, rules period.Rules, year int) (period.Period, error) {
	latest, err := s.db.LatestReportedPeriod(r.Context(), planID)
	if err != nil {
		return period.Period{}, err
	}
	if p, err := period.Parse(latest); err == nil && p.Frequency == rules.Frequency {
		return p, nil
	}
	return rules.Clamp(year, s.db.Now()), nil
}

func (s *Server) reviewList(w http.ResponseWriter, r *http.Request) error {
	return s.renderReviewList(w, r, r.URL.Query(), http.StatusOK, "")
}

// renderReviewList shows the review queue for the query q, with msg as an
// error when it is not empty.
func (s *Server) renderReviewList(w http.ResponseWriter, r *http.Request, q url.Values, status int, msg string) error {
	ref, rules, year, err := s.planFor(r)
	if err != nil {
		return err
	}
	var p period.Period
	if key := q.Get("period"); key != "" {
		if p, err = period.Parse(key); err != nil || p.Frequency != rules.Frequency || p.Year != year {
			return apperr.New(apperr.NotFound, "未找到")
		}
	} else if p, err = s.latestReported(r, ref.ID, rules, year); err != nil {
		return err
	}
	l, err := s.layout(w, r, "report.review", "report.review")
	if err != nil {
		return err
	}
	l.PlanID = ref.ID
	l.Crumbs = []Crumb{{Label: ref.Title, URL: fmt.Sprintf("/plans/%d", ref.ID)}, {Label: l.T("report.review")}}
	page := &reviewListPage{Layout: l, Plan: ref, Period: p, Periods: periodOptions(rules, year), Status: q.Get("status"), Error: msg}
	if !q.Has("status") {
		page.Status = string(report.Submitted)
	}
	page.Unit, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	if page.Units, err = s.db.Units(r.Context()); err != nil {
		return err
	}
	f := store.ReportFilter{PlanID: ref.ID, Period: p.Key(), UnitID: page.Unit, Status: report.Status(page.Status), WithDetails: true}
	if page.Status == "all" {
		f.Status = ""
	}
	if page.Reports, err = s.db.Reports(r.Context(), auth.Everything, f); err != nil {
		return err
	}
	var units []int64
	if page.Unit != 0 {
		units = []int64{page.Unit}
	}
	rows, err := s.db.Sheet(r.Context(), auth.Everything, ref.ID, p.Key(), units)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if row.Report.ID == 0 || row.Report.Status == report.StatusDraft {
			page.Missing = append(page.Missing, row)
		}
	}
	return s.render(w, status, "review", page)
}

// reportReview approves or returns one report.
func (s *Server) reportReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rp, err := s.db.Report(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	approve := r.PostFormValue("decision") == "approve"
	err = s.reports.Review(r.Context(), s.source(r), auth.ActorFrom(r.Context()), id, version, approve, r.PostFormValue("comment"))
	back := localPath(r.PostFormValue("back"))
	if back == "/" {
		back = fmt.Sprintf("/plans/%d/review?period=%s", rp.PlanID, rp.Period)
	}
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		// The queue again, with the reason (422 or 409).
		msg := e.Message
		for _, v := range sortedValues(e.Fields) {
			msg += ":" + v
		}
		q := url.Values{"period": {rp.Period}, "status": {"all"}}
		if u, perr := url.Parse(back); perr == nil && strings.HasSuffix(u.Path, "/review") {
			q = u.Query()
		}
		r.SetPathValue("id", strconv.FormatInt(rp.PlanID, 10))
		return s.renderReviewList(w, r, q, httpStatus(e.Code), msg)
	}
	if err != nil {
		return err
	}
	key := "report.returned"
	if approve {
		key = "report.approved"
	}
	return s.redirectFlash(w, r, back, l10n(r, key))
}

// reviewApproveAll approves the ticked reports of the queue at once.
func (s *Server) reviewApproveAll(w http.ResponseWriter, r *http.Request) error {
	ref, _, _, err := s.planFor(r)
	if err != nil {
		return err
	}
	var ids, versions []int64
	malformed := false
	for _, v := range r.PostForm["report"] {
		idS, verS, _ := strings.Cut(v, ":")
		id, err1 := strconv.ParseInt(idS, 10, 64)
		ver, err2 := strconv.ParseInt(verS, 10, 64)
		if err1 != nil || err2 != nil {
			malformed = true
			break
		}
		ids, versions = append(ids, id), append(versions, ver)
	}
	// Only reports of this plan the reviewer can see, read at once; the
	// first tick at fault decides the error.
	ofPlan := map[int64]bool{}
	for rest := ids; len(rest) > 0; {
		chunk := rest[:min(len(rest), 500)]
		rest = rest[len(chunk):]
		found, err := s.db.Reports(r.Context(), auth.ActorFrom(r.Context()).Scope, store.ReportFilter{PlanID: ref.ID, IDs: chunk})
		if err != nil {
			return apperr.New(apperr.NotFound, "未找到")
		}
		for _, rp := range found {
			ofPlan[rp.ID] = true
		}
	}
	for _, id := range ids {
		if !ofPlan[id] {
			return apperr.New(apperr.NotFound, "未找到")
		}
	}
	if malformed {
		return apperr.New(apperr.Invalid, "表单有误,请刷新后重试")
	}
	q, _ := url.ParseQuery(r.PostFormValue("query"))
	err = s.reports.ApproveAll(r.Context(), s.source(r), auth.ActorFrom(r.Context()), ids, versions)
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		return s.renderReviewList(w, r, q, httpStatus(e.Code), e.Message)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/plans/%d/review?%s", ref.ID, q.Encode()), l10n(r, "report.approved_n", len(ids)))
}

// Query is the queue's filter, to come back to after a bulk approval.
func (p *reviewListPage) Query() string {
	return url.Values{"period": {p.Period.Key()}, "unit": {strconv.FormatInt(p.Unit, 10)}, "status": {p.Status}}.Encode()
}

// ---- one report with every version ----

type reportPage struct {
	Layout
	reportValues
	Report    report.Report
	Revisions []report.Revision
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	scope := auth.ActorFrom(r.Context()).Scope
	rp, err := s.db.Report(r.Context(), scope, id)
	if err != nil {
		return err
	}
	revs, err := s.db.ReportRevisions(r.Context(), scope, id)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "report.history", "report.history")
	if err != nil {
		return err
	}
	l.PlanID = rp.PlanID
	l.Title = rp.UnitName + " · " + rp.Period
	l.Crumbs = []Crumb{{Label: l.T("report.history")}, {Label: rp.UnitName + " " + rp.Period}}
	return s.render(w, http.StatusOK, "report", &reportPage{Layout: l, Report: rp, Revisions: revs})
}

// reportFile serves an evidence file of a report the user may see, as an
// attachment with the type its content was checked to be.
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, kind, err := s.db.ReportFile(r.Context(), auth.ActorFrom(r.Context()).Scope, id, r.PathValue("sha"))
	if err != nil {
		return err
	}
	if kind == "" {
		kind, _ = report.SniffEvidence(f.Name, f.Content)
	}
	w.Header().Set("Content-Type", report.ContentType(kind))
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(f.Content)
	return err
}

// reportFileRemove takes an evidence file off a report that is still
// editable (the file stays in earlier versions).
func (s *Server) reportFileRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	rp, err := s.db.Report(r.Context(), a.Scope, id)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	back := fmt.Sprintf("/plans/%d/report?period=%s&unit=%d", rp.PlanID, rp.Period, rp.UnitID)
	_, err = s.reports.RemoveEvidence(r.Context(), s.source(r), a, id, version, r.PathValue("sha"))
	if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
		return s.redirectFlash(w, r, back, e.Message)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, back, l10n(r, "report.file_removed"))
}

// ---- homes ----

type reporterHome struct {
	Layout
	Plan     *store.PlanRef
	Period   period.Period
	Open     string
	Close    string
	Standing period.Standing
	Unit     org.Unit
	Rows     []store.SheetRow
	Counts   map[string]int
}

type leaderHome struct {
	Layout
	Plan    *store.PlanRef
	Period  period.Period
	Periods []periodOption
	Behind  []behindRow
	Due     int
}

// behindRow is an item that is behind: no report, a late one, or one that
// says 滞后; with who owns it.
type behindRow struct {
	store.SheetRow
	Reason string
}

// homeFor sends each role to its start: the reporter to its month, the
// leader to what is behind, staff to the current plan (the active plan of
// this year, else the newest active, else the newest).
func (s *Server) homeFor(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	planID, err := s.db.CurrentPlanID(r.Context(), a.Scope, s.db.Now().In(reporting.Loc).Year())
	if err != nil {
		return err
	}
	if planID == 0 {
		http.Redirect(w, r, "/plans", http.StatusSeeOther)
		return nil
	}
	if a.Role == auth.Staff {
		http.Redirect(w, r, fmt.Sprintf("/plans/%d", planID), http.StatusSeeOther)
		return nil
	}
	r.SetPathValue("id", strconv.FormatInt(planID, 10))
	ref, rules, year, err := s.planFor(r)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "home", "nav.home")
	if err != nil {
		return err
	}
	l.PlanID = ref.ID
	if a.Role == auth.Reporter {
		units, err := s.sheetUnits(r)
		if err != nil {
			return err
		}
		p, rows, err := s.defaultPeriod(r, ref.ID, rules, year, units[0].ID)
		if err != nil {
			return err
		}
		open, closeDay := rules.Window(p)
		page := &reporterHome{Layout: l, Plan: ref, Period: p, Unit: units[0], Rows: rows, Counts: map[string]int{},
			Open: open.Format("2006-01-02"), Close: closeDay.Format("2006-01-02"), Standing: s.standing(rules, p, rows)}
		for _, row := range rows {
			page.Counts[statusKey(row.Report.Status)]++
		}
		return s.render(w, http.StatusOK, "home_reporter", page)
	}
	p, err := s.latestReported(r, ref.ID, rules, year)
	if err != nil {
		return err
	}
	if q, err := period.Parse(r.URL.Query().Get("period")); err == nil && q.Frequency == rules.Frequency && q.Year == year {
		p = q
	}
	rows, err := s.db.Sheet(r.Context(), a.Scope, ref.ID, p.Key(), nil)
	if err != nil {
		return err
	}
	page := &leaderHome{Layout: l, Plan: ref, Period: p, Periods: periodOptions(rules, year), Due: len(rows)}
	deadline := rules.Deadline(p, reporting.Loc)
	for _, row := range rows {
		rp := row.Report
		switch {
		case rp.SubmittedAt == nil && !s.db.Now().Before(deadline):
			page.Behind = append(page.Behind, behindRow{row, "missing"})
		case rp.SubmittedAt == nil:
			// not yet due
		case rp.State == report.Behind:
			page.Behind = append(page.Behind, behindRow{row, "behind"})
		case !rp.SubmittedAt.Before(deadline):
			page.Behind = append(page.Behind, behindRow{row, "late"})
		}
	}
	return s.render(w, http.StatusOK, "home_leader", page)
}

// reportValues gives the pages that show reports' indicator values their Num.
type reportValues struct{}

// Num shows a value given in a report.
func (reportValues) Num(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	return plan.FormatValue(*v, unit)
}

// Statuses are the review list's status choices.
func (p *reviewListPage) Statuses() []string {
	return []string{"submitted", "returned", "approved", "draft", "all"}
}
