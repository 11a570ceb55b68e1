package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/bulletin"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/store"
)

func (s *Server) bulletinRoutes() []route {
	return []route{
		{"GET /plans/{id}/bulletin", s.bulletinPage, bureauReaders},
		{"GET /plans/{id}/bulletin.xlsx", s.bulletinXLSX, bureauReaders},
	}
}

// loadBulletin makes the bulletin of the {id} plan for ?period=. The plan
// is read in the user's scope first, so a plan the user may not see is 404.
func (s *Server) loadBulletin(r *http.Request) (*bulletin.Bulletin, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id); err != nil {
		return nil, err
	}
	return bulletin.Make(r.Context(), s.db, id, r.URL.Query().Get("period"), s.db.Now())
}

type bulletinRank struct {
	bulletin.Rank
	Target, Actual string
}

type bulletinRanking struct {
	Name, Display string
	Units         []bulletinRank
}

type bulletinPage struct {
	Layout
	B        *bulletin.Bulletin
	Months   []indicator.Period
	Cards    []dashCard
	Rankings []bulletinRanking
	TP       string
	XLSX     string
}

func (s *Server) bulletinPage(w http.ResponseWriter, r *http.Request) error {
	b, err := s.loadBulletin(r)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "plan.bulletin", "bulletin.title")
	if err != nil {
		return err
	}
	l.PlanID = b.PlanID
	l.Title = b.Heading()
	l.Crumbs = []Crumb{{Label: b.Title, URL: fmt.Sprintf("/plans/%d", b.PlanID)}, {Label: l.T("bulletin.title")}}
	page := &bulletinPage{Layout: l, B: b, TP: pct(b.TimeProgress),
		XLSX: fmt.Sprintf("/plans/%d/bulletin.xlsx?period=%s", b.PlanID, url.QueryEscape(b.Period.String()))}
	for m := 1; m <= 12; m++ {
		page.Months = append(page.Months, indicator.Period{Year: b.Period.Year, Month: m})
	}
	for _, c := range b.Cards {
		page.Cards = append(page.Cards, s.viewCard(&l, c))
	}
	for _, rk := range b.Rankings {
		br := bulletinRanking{Name: rk.Indicator.Name, Display: formatTarget(rk.Indicator.Indicator)}
		for _, u := range rk.Units {
			row := bulletinRank{Rank: u, Target: "—", Actual: l.T("bulletin.not_reported")}
			if u.Status != "" {
				row.Target = figureText(u.Target, rk.Indicator.Unit)
			}
			if u.HasActual {
				row.Actual = figureText(u.Actual, rk.Indicator.Unit)
			}
			br.Units = append(br.Units, row)
		}
		page.Rankings = append(page.Rankings, br)
	}
	return s.render(w, http.StatusOK, "bulletin", page)
}

// bulletinXLSX downloads the workbook; the download is audited, as a copy
// leaving the system.
func (s *Server) bulletinXLSX(w http.ResponseWriter, r *http.Request) error {
	b, err := s.loadBulletin(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf); err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(s.source(r).New(audit.BulletinExported, "plan", strconv.FormatInt(b.PlanID, 10), nil,
			map[string]any{"period": b.Period.String()}))
	})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("月度通报-%s.xlsx", b.Period)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"bulletin-"+b.Period.String()+".xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
