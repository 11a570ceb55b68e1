package store

// SetPlanStatus moves a plan from one status to another, guarded by the
// version the user saw: someone else's change in between is a conflict.
func (tx *Tx) SetPlanStatus(id int64, from, to string, version int64) error {
	return tx.update("plan status", `UPDATE plans SET status = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND status = ? AND version = ?`, to, tx.db.now(), id, from, version)
}
