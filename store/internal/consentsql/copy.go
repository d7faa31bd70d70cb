package consentsql

import (
	"context"
	"fmt"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// InsertGrantIfAbsent is the INSERT of a grant as it is (its version
// kept) that does nothing when its id exists.
func InsertGrantIfAbsent(d sqlq.Dialect, g consent.Grant) (string, []any) {
	return d.Rebind(`INSERT INTO consent_grants (` + grantList + `) VALUES (` +
		sqlq.Placeholders(len(GrantColumns)) + `) ON CONFLICT (id) DO NOTHING`), GrantValues(d, g)
}

// RunCopyGrants is consent.CopyStore.CopyGrants inside tx; on
// record.ErrOtherContent the caller rolls tx back.
func RunCopyGrants(ctx context.Context, d sqlq.Dialect, tx Tx, gs []consent.Grant) (record.CopyCount, error) {
	var n record.CopyCount
	for _, g := range gs {
		query, args := InsertGrantIfAbsent(d, g)
		added, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return n, err
		}
		if added == 1 {
			n.Added++
			continue
		}
		stored, err := ScanGrant(tx.QueryRow(ctx, Grant(d), g.ID))
		if err != nil {
			return n, err
		}
		if !consent.SameGrant(stored, g) {
			return n, fmt.Errorf("grant %s: %w", g.ID, record.ErrOtherContent)
		}
		n.Present++
	}
	return n, nil
}
