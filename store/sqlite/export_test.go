package sqlite

import "time"

// SetSessionCleanupInterval lets tests see expired sessions deleted soon;
// call it before the first SessionStore.
func SetSessionCleanupInterval(s *Store, every time.Duration) { s.cleanupEvery = every }
