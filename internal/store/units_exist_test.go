package store_test

import (
	"slices"
	"testing"

	"github.com/luoshi/luoshi/internal/store"
)

// TestUnitsExist: the ids that name no unit come back, in the order given.
func TestUnitsExist(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		_, u := createUnits(t, db)
		mustTx(t, db, func(tx *store.Tx) error {
			missing, err := tx.UnitsExist([]int64{u.ID + 1000, u.ID, u.ID + 999})
			if err != nil {
				return err
			}
			if want := []int64{u.ID + 1000, u.ID + 999}; !slices.Equal(missing, want) {
				t.Fatalf("missing %v, want %v", missing, want)
			}
			if missing, err := tx.UnitsExist(nil); err != nil || len(missing) != 0 {
				t.Fatalf("no ids: %v %v", missing, err)
			}
			return nil
		})
	})
}
