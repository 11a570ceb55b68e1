package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/text"
)

// registryRoutes are the registries' read endpoints (issue 9) and the
// computed indicators of a plan, which the dashboard builds on.
func (h *handler) registryRoutes() []route {
	rs := []route{
		{"GET /registry/queries", h.registryQueries, planReaders},
		{"GET /plans/{id}/computed", h.planComputed, planReaders},
	}
	for _, k := range registry.Kinds {
		rs = append(rs,
			route{"GET /registry/" + k.Name, h.listRecords(k), planReaders},
			route{"GET /registry/" + k.Name + "/{id}", h.getRecord(k), planReaders})
	}
	return rs
}

// listRecords answers GET /registry/{kind}?q=&unit=&<enum field>=&qual=&on=&from=&to=&sort=&desc=1&limit=&offset=
// with {total, records}; the scope of the token's user applies.
func (h *handler) listRecords(k *registry.Kind) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := apiFilter(k, r.URL.Query())
		if err != nil {
			return err
		}
		recs, total, err := h.cfg.DB.Records(r.Context(), auth.ActorFrom(r.Context()).Scope, k, f)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"total": total, "records": recs})
		return nil
	}
}

func apiFilter(k *registry.Kind, q url.Values) (registry.Filter, error) {
	f := registry.Filter{Query: text.CleanLine(q.Get("q")), Qual: q.Get("qual"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Eq: map[string]string{}}
	fields := map[string]string{}
	for _, fd := range k.Enums() {
		if v := q.Get(fd.Key); v != "" {
			f.Eq[fd.Key] = v
		}
	}
	num := func(key string) int64 {
		if q.Get(key) == "" {
			return 0
		}
		n, err := strconv.ParseInt(q.Get(key), 10, 64)
		if err != nil || n < 0 {
			fields[key] = "须为非负整数"
		}
		return n
	}
	f.UnitID, f.Limit, f.Offset = num("unit"), int(num("limit")), int(num("offset"))
	for key, dst := range map[string]*string{"from": &f.From, "to": &f.To, "on": &f.QualOn} {
		if v := q.Get(key); v != "" {
			d, err := registry.ParseDate(v)
			if err != nil {
				fields[key] = err.Error()
			}
			*dst = d
		}
	}
	if len(fields) > 0 {
		return f, apperr.WithFields("查询参数有误", fields)
	}
	return f, nil
}

// getRecord answers GET /registry/{kind}/{id}: the record with its
// qualifications and history; another unit's record is 404.
func (h *handler) getRecord(k *registry.Kind) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		scope := auth.ActorFrom(r.Context()).Scope
		rec, err := h.cfg.DB.Record(r.Context(), scope, k, id)
		if err != nil {
			return err
		}
		hist, err := h.cfg.DB.RecordHistory(r.Context(), scope, k, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"record": rec, "history": hist})
		return nil
	}
}

func (h *handler) registryQueries(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"queries": registry.Queries})
	return nil
}

// planComputed answers GET /plans/{id}/computed?unit=&as_of=YYYY-MM-DD:
// every indicator of the plan bound to a registry query, with its value for
// the unit's subtree (the city when unit is absent) and its provenance. A
// reporter gets its own unit's values only.
func (h *handler) planComputed(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	p, err := h.cfg.DB.Plan(r.Context(), a.Scope, id)
	if err != nil {
		return err
	}
	unitID, _ := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	if !a.Scope.All {
		if unitID == 0 {
			unitID = a.UnitID
		}
		if !a.Scope.Has(unitID) {
			return apperr.New(apperr.NotFound, "未找到")
		}
	}
	asOf := registry.AsOfFor(p.Year, h.cfg.DB.Now())
	if v := r.URL.Query().Get("as_of"); v != "" {
		d, err := registry.ParseDate(v)
		if err != nil {
			return apperr.WithFields("查询参数有误", map[string]string{"as_of": err.Error()})
		}
		asOf, _ = parseDay(d)
	}
	binds, err := h.cfg.DB.IndicatorBindings(r.Context(), id)
	if err != nil {
		return err
	}
	type item struct {
		IndicatorID int64   `json:"indicator_id"`
		Name        string  `json:"name"`
		Target      float64 `json:"target"`
		Unit        string  `json:"unit"`
		registry.Result
	}
	out := []item{}
	all := p.Targets
	for _, s := range p.Sections {
		for _, t := range s.Items {
			all = append(all, t.Targets...)
		}
	}
	for _, t := range all {
		b, ok := binds[t.ID]
		if !ok {
			continue
		}
		res, err := registry.Compute(r.Context(), h.cfg.DB, b.Query, unitID, asOf)
		if err != nil {
			return err
		}
		out = append(out, item{IndicatorID: t.ID, Name: t.Name, Target: t.Value, Unit: t.Unit, Result: res})
	}
	writeJSON(w, http.StatusOK, map[string]any{"plan_id": id, "as_of": asOf.Format("2006-01-02"), "indicators": out})
	return nil
}

func parseDay(d string) (t time.Time, err error) { return time.Parse(time.DateOnly, d) }
