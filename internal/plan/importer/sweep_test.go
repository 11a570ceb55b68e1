package importer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

// TestSweepUnsavedUploads: a document uploaded for review and never saved
// is removed once it is more than 24 hours old; a saved plan's document
// stays (issue 7, item 12). Fixed clock, both engines.
func TestSweepUnsavedUploads(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)
		now := t0
		db.SetClock(func() time.Time { return now })
		svc := New(db)
		unsaved, err := svc.Upload(ctx, "staff", "a.txt", document("unsaved"))
		if err != nil {
			t.Fatal(err)
		}
		saved, err := svc.Upload(ctx, "staff", "b.txt", document("saved"))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, staff, saved.Plan, SaveOptions{SourceName: "b.txt"}); err != nil {
			t.Fatal(err)
		}

		// A registry import, committed: its file is named by the audit
		// record and stays.
		reg := store.File{SHA256: strings.Repeat("ab", 32), Name: "企业.xlsx", Content: []byte("xlsx"), CreatedBy: "staff"}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutFile(reg); err != nil {
				return err
			}
			return tx.Audit(staff.New(audit.RegistryImported, "enterprise", reg.SHA256, nil, nil))
		}); err != nil {
			t.Fatal(err)
		}

		now = t0.Add(23 * time.Hour)
		if n, err := svc.Sweep(ctx, audit.System("test")); err != nil || n != 0 {
			t.Fatalf("sweep after 23 h: %d %v, want 0", n, err)
		}
		now = t0.Add(25 * time.Hour)
		if n, err := svc.Sweep(ctx, audit.System("test")); err != nil || n != 1 {
			t.Fatalf("sweep after 25 h: %d %v, want 1", n, err)
		}
		if _, err := db.File(ctx, unsaved.Document.SHA256); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the unsaved upload is still there: %v", err)
		}
		if _, err := db.File(ctx, saved.Document.SHA256); err != nil {
			t.Errorf("the saved plan's document was removed: %v", err)
		}
		if _, err := db.File(ctx, reg.SHA256); err != nil {
			t.Errorf("a committed registry import's file was removed: %v", err)
		}
		if n, err := svc.Sweep(ctx, audit.System("test")); err != nil || n != 0 {
			t.Fatalf("second sweep: %d %v, want 0", n, err)
		}
		entries, _, err := db.AuditEntries(ctx, audit.Filter{Action: audit.UploadsSwept})
		if err != nil || len(entries) != 1 || string(entries[0].After) == "" {
			t.Fatalf("sweep audit: %+v %v", entries, err)
		}
	})
}
