package importer

import (
	"context"
	"log/slog"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

// UploadTTL is how long a document uploaded for review but never saved as a
// plan is kept (issue 7).
const UploadTTL = 24 * time.Hour

// Sweep removes the uploads older than UploadTTL (by the store's clock)
// that never became a plan, with one audit record when it removed any. It
// returns how many it removed. `luoshi plan sweep` runs it once; serve runs
// it every hour (SweepLoop).
func (s *Service) Sweep(ctx context.Context, src audit.Source) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		cutoff := s.db.Now().Add(-UploadTTL)
		if n, err = tx.SweepUploads(cutoff); err != nil || n == 0 {
			return err
		}
		return tx.Audit(src.New(audit.UploadsSwept, "file", "unsaved", nil,
			map[string]any{"removed": n, "uploaded_before": cutoff}))
	})
	return n, err
}

// SweepLoop runs Sweep at once and then every interval until ctx ends,
// logging what it removed and any failure.
func (s *Service) SweepLoop(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.Sweep(ctx, audit.System("sweep"))
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "sweep of unsaved uploads failed", "err", err)
		case n > 0:
			log.InfoContext(ctx, "removed unsaved uploads", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
