package obsql

import (
	"context"
	"fmt"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Query runs a read that returns rows of Columns on a store's driver and
// connections, with the store's errors mapped. Each store has one; the
// record.Store reads below are then the same for both.
type Query func(ctx context.Context, query string, args ...any) ([]record.Measurement, error)

// RunSearch is record.Store.SearchMeasurements over run.
func RunSearch(ctx context.Context, d sqlq.Dialect, run Query, q record.Query) ([]record.Measurement, error) {
	query, args := Search(d, q)
	ms, err := run(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search measurements: %w", err)
	}
	return ms, nil
}

// RunLatest is record.Store.LatestMeasurements over run: the newest of
// each kind in one query, in the order of record.Specs.
func RunLatest(ctx context.Context, d sqlq.Dialect, run Query, personID string, scope record.Scope) ([]record.Measurement, error) {
	query, args, ok := Latest(d, personID, scope)
	if !ok { // the scope admits no kind: nothing to ask
		return []record.Measurement{}, nil
	}
	ms, err := run(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("latest measurements: %w", err)
	}
	sortByKind(ms)
	return ms, nil
}
