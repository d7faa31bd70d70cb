package sqlite

import (
	"context"
	"time"
)

// SetSessionCleanupInterval lets tests see expired sessions deleted soon;
// call it before the first SessionStore.
func SetSessionCleanupInterval(s *Store, every time.Duration) { s.cleanupEvery = every }

// OpenWithCheckpoint opens like Open with another WAL limit and
// checkpoint interval, so tests reach the limit soon.
func OpenWithCheckpoint(ctx context.Context, path string, limit int64, every time.Duration) (*Store, error) {
	return open(ctx, path, limit, every)
}
