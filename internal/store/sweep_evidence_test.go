package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
)

// Evidence files of progress reports are in use: the daily sweep of unsaved
// uploads must leave them (and fail on no foreign key), on both engines.
func TestSweepKeepsEvidence(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC)
		now := t0
		db.SetClock(func() time.Time { return now })
		_, county := createUnits(t, db)
		p := samplePlan()
		mustTx(t, db, func(tx *store.Tx) error { return tx.CreatePlan(p) })
		evidence := store.File{SHA256: strings.Repeat("cd", 32), Name: "佐证.pdf", Content: []byte("%PDF-1.4"), CreatedBy: "reporter"}
		stray := store.File{SHA256: strings.Repeat("ef", 32), Name: "未保存.docx", Content: []byte("PK"), CreatedBy: "staff"}
		reply := store.File{SHA256: strings.Repeat("ab", 32), Name: "回复.pdf", Content: []byte("%PDF-1.7"), CreatedBy: "reporter"}
		mustTx(t, db, func(tx *store.Tx) error {
			if err := tx.PutFile(evidence); err != nil {
				return err
			}
			if err := tx.PutFile(stray); err != nil {
				return err
			}
			id, version, err := tx.SaveDraft(p.ID, report.Draft{TaskID: p.Sections[0].Items[0].ID, UnitID: county.ID,
				Period: "2023-05", Progress: "已完成方案", State: report.State("in_progress")}, false)
			if err != nil {
				return err
			}
			if _, err = tx.AddEvidence(id, version, report.Evidence{SHA256: evidence.SHA256, Name: evidence.Name, Kind: "pdf", Size: 8}); err != nil {
				return err
			}
			// A unit's reply to a supervision notice, with its evidence.
			if err := tx.PutFile(reply); err != nil {
				return err
			}
			n := &store.Notice{Year: 2023, UnitID: county.ID, Subject: "督办", Body: "请按期报送", ReplyDue: "2023-06-10", Status: "issued", IssuerName: "staff"}
			if err := tx.CreateNotice(n, func(y, s int) string { return "督〔2023〕第1号" }); err != nil {
				return err
			}
			return tx.AddTrail(n.ID, &store.TrailEntry{Step: "replied", ActorName: "reporter", Text: "已报送",
				Files: []store.EvidenceFile{{SHA256: reply.SHA256, Name: reply.Name}}})
		})
		now = t0.Add(25 * time.Hour)
		var n int64
		mustTx(t, db, func(tx *store.Tx) error {
			var err error
			n, err = tx.SweepUploads(now.Add(-24 * time.Hour))
			return err
		})
		if n != 1 {
			t.Fatalf("swept %d files, want only the stray one", n)
		}
		for _, f := range []store.File{evidence, reply} {
			if _, err := db.File(ctx, f.SHA256); err != nil {
				t.Fatalf("%s was swept: %v", f.Name, err)
			}
		}
		if _, err := db.File(ctx, stray.SHA256); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the stray upload is still there: %v", err)
		}
	})
}
