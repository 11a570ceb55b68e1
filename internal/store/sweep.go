package store

import (
	"fmt"
	"time"
)

// fileRefs select the SHA-256 of every stored file still in use. A table
// that starts keeping files (evidence, registry imports) must add its query
// here, or SweepUploads removes its files after a day.
var fileRefs = []string{
	"SELECT content_hash FROM plans WHERE content_hash <> ''",
	// A committed registry import names its file in its audit record.
	"SELECT entity_id FROM audit_log WHERE action = 'registry.imported'",
	// Evidence of progress reports, and files a report's kept versions
	// name (a file removed from a returned report stays in its history).
	"SELECT sha256 FROM report_files",
	// Evidence of replies to supervision notices.
	"SELECT sha256 FROM supervision_files",
	"SELECT f2.sha256 FROM files f2 JOIN report_revisions rr ON rr.snapshot LIKE '%' || f2.sha256 || '%'",
}

// SweepUploads removes the uploaded files stored before `before` that no
// plan (or other user of files, fileRefs) refers to: documents uploaded for
// review and never saved (issue 7). It returns how many it removed.
func (tx *Tx) SweepUploads(before time.Time) (int64, error) {
	q := "DELETE FROM files WHERE created_at < ?"
	for _, ref := range fileRefs {
		q += " AND sha256 NOT IN (" + ref + ")"
	}
	res, err := tx.exec(q, before)
	if err != nil {
		return 0, fmt.Errorf("store: sweep uploads: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: sweep uploads: %w", err)
	}
	return n, nil
}
