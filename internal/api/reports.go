package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
)

// Assignment and reporting (issue 8): the same service as the pages.
var (
	staffOnly = []auth.Role{auth.Staff}
	reporters = []auth.Role{auth.Reporter}
)

func (h *handler) reportRoutes() []route {
	return []route{
		{"GET /plans/{id}/assignments", h.listAssignments, planReaders},
		{"PUT /plans/{id}/assignments", h.saveAssignments, staffOnly},
		{"GET /plans/{id}/report-rules", h.getRules, planReaders},
		{"PUT /plans/{id}/report-rules", h.putRules, staffOnly},
		{"POST /suggestions/{id}/decision", h.decideSuggestion, staffOnly},
		{"GET /plans/{id}/sheet", h.getSheet, planReaders},
		{"GET /reports", h.listReports, planReaders},
		{"GET /reports/{id}", h.getReport, planReaders},
		{"GET /reports/{id}/files/{sha}", h.getReportFile, planReaders},
		{"DELETE /reports/{id}/files/{sha}", h.removeReportFile, reporters},
		{"POST /report-drafts", h.saveDrafts, reporters},
		{"POST /report-evidence", h.addEvidence, reporters},
		{"POST /report-submissions", h.submitReports, reporters},
		{"POST /reports/{id}/review", h.reviewReport, staffOnly},
		{"POST /report-approvals", h.approveReports, staffOnly},
	}
}

// source is who and where an API change comes from, for the audit log.
func (h *handler) source(r *http.Request) audit.Source {
	a := auth.ActorFrom(r.Context())
	s := audit.Source{ActorID: a.ID, ActorName: a.Username, UnitID: a.UnitID}
	if h.cfg.ClientIP != nil {
		s.IP = h.cfg.ClientIP(r)
	}
	if h.cfg.RequestID != nil {
		s.RequestID = h.cfg.RequestID(r.Context())
	}
	return s
}

// decode reads a JSON body of at most limit bytes into v.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.New(apperr.TooLarge, "请求体过大(上限 %d KiB)", limit>>10)
		}
		return apperr.New(apperr.Invalid, "请求体须为符合接口文档的 JSON(%s)", err.Error())
	}
	return nil
}

// planInScope checks the {id} plan is one the actor may see.
func (h *handler) planInScope(r *http.Request) (int64, error) {
	p, err := h.planOf(r)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// planOf reads the {id} plan in the actor's scope.
func (h *handler) planOf(r *http.Request) (*plan.Plan, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.cfg.DB.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
}

func queryInt(q url.Values, name string) int64 {
	n, _ := strconv.ParseInt(q.Get(name), 10, 64)
	return n
}

func (h *handler) listAssignments(w http.ResponseWriter, r *http.Request) error {
	id, err := h.planInScope(r)
	if err != nil {
		return err
	}
	f := store.AssignmentFilter{PlanID: id}
	if u := queryInt(r.URL.Query(), "unit"); u != 0 {
		f.Units = []int64{u}
	}
	list, err := h.cfg.DB.Assignments(r.Context(), auth.ActorFrom(r.Context()).Scope, f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []report.Assignment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"assignments": list})
	return nil
}

func (h *handler) saveAssignments(w http.ResponseWriter, r *http.Request) error {
	id, err := h.planInScope(r)
	if err != nil {
		return err
	}
	var body struct {
		Assignments []report.AssignmentInput `json:"assignments"`
	}
	if err := decode(w, r, 2<<20, &body); err != nil {
		return err
	}
	items, err := h.cfg.DB.Assignments(r.Context(), auth.Everything, store.AssignmentFilter{PlanID: id})
	if err != nil {
		return err
	}
	type item struct{ task, measure int64 }
	ofPlan := make(map[item]bool, len(items))
	for _, a := range items {
		ofPlan[item{a.TaskID, a.MeasureID}] = true
	}
	labels := make([]string, len(body.Assignments))
	for i, in := range body.Assignments {
		labels[i] = "assignments[" + strconv.Itoa(i) + "] "
		if !ofPlan[item{in.TaskID, in.MeasureID}] {
			return apperr.WithFields("没有这个事项", map[string]string{labels[i] + "task_id": labels[i] + "该计划没有这个工作条目或举措"})
		}
	}
	if err := h.cfg.Reports.SaveAssignments(r.Context(), h.source(r), auth.ActorFrom(r.Context()), body.Assignments, labels); err != nil {
		return err
	}
	return h.listAssignments(w, r)
}

func (h *handler) getRules(w http.ResponseWriter, r *http.Request) error {
	p, err := h.planOf(r)
	if err != nil {
		return err
	}
	rules, year, err := h.cfg.DB.PlanRules(r.Context(), p.ID)
	if err != nil {
		return err
	}
	var periods []map[string]string
	for _, pd := range rules.Year(year) {
		open, closeDay := rules.Window(pd)
		periods = append(periods, map[string]string{"key": pd.Key(), "label": pd.Label(),
			"window_open": open.Format("2006-01-02"), "window_close": closeDay.Format("2006-01-02")})
	}
	writeJSON(w, http.StatusOK, map[string]any{"frequency": rules.Frequency, "open_day": rules.OpenDay, "close_day": rules.CloseDay,
		"plan_version": p.Version, "periods": periods})
	return nil
}

func (h *handler) putRules(w http.ResponseWriter, r *http.Request) error {
	id, err := h.planInScope(r)
	if err != nil {
		return err
	}
	var body struct {
		Frequency   period.Frequency `json:"frequency"`
		OpenDay     int              `json:"open_day"`
		CloseDay    int              `json:"close_day"`
		PlanVersion int64            `json:"plan_version"`
	}
	if err := decode(w, r, 4<<10, &body); err != nil {
		return err
	}
	rules := period.Rules{Frequency: body.Frequency, OpenDay: body.OpenDay, CloseDay: body.CloseDay}
	if err := h.cfg.Reports.SetRules(r.Context(), h.source(r), auth.ActorFrom(r.Context()), id, rules, body.PlanVersion); err != nil {
		return err
	}
	return h.getRules(w, r)
}

func (h *handler) decideSuggestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Decision string `json:"decision"` // lead, co or reject
		UnitID   int64  `json:"unit_id"`
		Version  int64  `json:"version"`
	}
	if err := decode(w, r, 4<<10, &body); err != nil {
		return err
	}
	role := body.Decision
	switch role {
	case "reject":
		role = ""
	case "lead", "co":
	default:
		return apperr.WithFields("decision 须为 lead、co 或 reject", map[string]string{"decision": "须为 lead、co 或 reject"})
	}
	if err := h.cfg.Reports.DecideSuggestion(r.Context(), h.source(r), auth.ActorFrom(r.Context()), id, body.Version, role, body.UnitID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getSheet is the unit's month: every item due for ?period from ?unit
// (a reporter: its own unit by default; staff and leaders: all units).
func (h *handler) getSheet(w http.ResponseWriter, r *http.Request) error {
	id, err := h.planInScope(r)
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	q := r.URL.Query()
	var units []int64
	if u := queryInt(q, "unit"); u != 0 {
		if !a.Scope.Has(u) {
			return apperr.New(apperr.NotFound, "未找到")
		}
		units = []int64{u}
	} else if a.Role == auth.Reporter {
		units = []int64{a.UnitID}
	}
	key := q.Get("period")
	if key == "" {
		rules, year, err := h.cfg.DB.PlanRules(r.Context(), id)
		if err != nil {
			return err
		}
		// The same period the unit's page opens on.
		key = rules.Clamp(year, h.cfg.DB.Now()).Key()
	}
	rows, err := h.cfg.DB.Sheet(r.Context(), a.Scope, id, key, units)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []store.SheetRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"period": key, "rows": rows})
	return nil
}

func (h *handler) listReports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.ReportFilter{PlanID: queryInt(q, "plan"), UnitID: queryInt(q, "unit"), Period: q.Get("period"),
		Status: report.Status(q.Get("status")), WithDetails: true}
	list, err := h.cfg.DB.Reports(r.Context(), auth.ActorFrom(r.Context()).Scope, f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []report.Report{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": list})
	return nil
}

func (h *handler) getReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	scope := auth.ActorFrom(r.Context()).Scope
	rp, err := h.cfg.DB.Report(r.Context(), scope, id)
	if err != nil {
		return err
	}
	revs, err := h.cfg.DB.ReportRevisions(r.Context(), scope, id)
	if err != nil {
		return err
	}
	if revs == nil {
		revs = []report.Revision{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": rp, "revisions": revs})
	return nil
}

func (h *handler) getReportFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, kind, err := h.cfg.DB.ReportFile(r.Context(), auth.ActorFrom(r.Context()).Scope, id, r.PathValue("sha"))
	if err != nil {
		return err
	}
	if kind == "" {
		kind, _ = report.SniffEvidence(f.Name, f.Content)
	}
	w.Header().Set("Content-Type", report.ContentType(kind))
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(f.Content)
	return err
}

func (h *handler) saveDrafts(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Drafts []report.Draft `json:"drafts"`
	}
	if err := decode(w, r, 1<<20, &body); err != nil {
		return err
	}
	labels := make([]string, len(body.Drafts))
	for i := range body.Drafts {
		labels[i] = "drafts[" + strconv.Itoa(i) + "] "
	}
	saved, err := h.cfg.Reports.SaveDrafts(r.Context(), h.source(r), auth.ActorFrom(r.Context()), body.Drafts, labels)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"saved": saved})
	return nil
}

// addEvidence takes multipart/form-data: task_id, measure_id, unit_id,
// period, version (optional) and file.
func (h *handler) addEvidence(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, report.MaxEvidenceSize+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return &apperr.Error{Code: apperr.TooLarge, Message: "须为 multipart/form-data,文件不超过 20 MB", Err: err}
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return apperr.WithFields("缺少文件", map[string]string{"file": "请附上文件"})
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	d := report.Draft{TaskID: formInt(r, "task_id"), MeasureID: formInt(r, "measure_id"), UnitID: formInt(r, "unit_id"),
		Period: r.FormValue("period"), Version: formInt(r, "version")}
	id, version, err := h.cfg.Reports.AddEvidence(r.Context(), h.source(r), auth.ActorFrom(r.Context()), d, hdr.Filename, data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": version})
	return nil
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.FormValue(name), 10, 64)
	return n
}

// reportBatch reads a body {"reports": [{"id": …, "version": …}, …]}: the
// reports to submit or approve, with the versions the user saw.
func reportBatch(w http.ResponseWriter, r *http.Request) (ids, versions []int64, err error) {
	var body struct {
		Reports []struct {
			ID      int64 `json:"id"`
			Version int64 `json:"version"`
		} `json:"reports"`
	}
	if err := decode(w, r, 256<<10, &body); err != nil {
		return nil, nil, err
	}
	for _, x := range body.Reports {
		ids, versions = append(ids, x.ID), append(versions, x.Version)
	}
	return ids, versions, nil
}

func (h *handler) submitReports(w http.ResponseWriter, r *http.Request) error {
	ids, versions, err := reportBatch(w, r)
	if err != nil {
		return err
	}
	labels := make([]string, len(ids))
	for i := range labels {
		labels[i] = "reports[" + strconv.Itoa(i) + "] "
	}
	if err := h.cfg.Reports.Submit(r.Context(), h.source(r), auth.ActorFrom(r.Context()), ids, versions, labels); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) reviewReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Decision string `json:"decision"` // approve or return
		Comment  string `json:"comment"`
		Version  int64  `json:"version"`
	}
	if err := decode(w, r, 16<<10, &body); err != nil {
		return err
	}
	if body.Decision != "approve" && body.Decision != "return" {
		return apperr.WithFields("decision 须为 approve 或 return", map[string]string{"decision": "须为 approve 或 return"})
	}
	if err := h.cfg.Reports.Review(r.Context(), h.source(r), auth.ActorFrom(r.Context()), id, body.Version,
		body.Decision == "approve", body.Comment); err != nil {
		return err
	}
	return h.getReport(w, r)
}

// removeReportFile takes an evidence file off a report still editable;
// ?version= is the report's version as read.
func (h *handler) removeReportFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version := queryInt(r.URL.Query(), "version")
	nv, err := h.cfg.Reports.RemoveEvidence(r.Context(), h.source(r), auth.ActorFrom(r.Context()), id, version, r.PathValue("sha"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "version": nv})
	return nil
}

// approveReports approves several submitted reports in one transaction.
func (h *handler) approveReports(w http.ResponseWriter, r *http.Request) error {
	ids, versions, err := reportBatch(w, r)
	if err != nil {
		return err
	}
	if err := h.cfg.Reports.ApproveAll(r.Context(), h.source(r), auth.ActorFrom(r.Context()), ids, versions); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
