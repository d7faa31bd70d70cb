package sqlite

import (
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
)

var (
	_ scs.Store         = (*sessionStore)(nil)
	_ scs.IterableStore = (*sessionStore)(nil)
)

// sessionStore is the web session store (scs) split like the rest of the
// database: every request loads its session, and those loads run on the
// read pool, concurrently, instead of queueing behind writes and
// checkpoints on the one writer connection. Saves and deletes, and the
// periodic deletion of expired sessions, go through the writer.
//
// A load right after a save sees it: the writer's Exec returns once the
// transaction has committed, and each read is a transaction of its own
// (autocommit), which in WAL mode sees everything committed before it began.
type sessionStore struct {
	reader *sqlite3store.SQLite3Store // never cleans up
	writer *sqlite3store.SQLite3Store // cleans up every cleanupEvery, if positive
}

func newSessionStore(s *Store, cleanupEvery time.Duration) *sessionStore {
	return &sessionStore{
		reader: sqlite3store.NewWithCleanupInterval(s.read, 0),
		writer: sqlite3store.NewWithCleanupInterval(s.db, cleanupEvery),
	}
}

// Find reads the unexpired session stored under token.
func (ss *sessionStore) Find(token string) ([]byte, bool, error) { return ss.reader.Find(token) }

// All reads every unexpired session.
func (ss *sessionStore) All() (map[string][]byte, error) { return ss.reader.All() }

// Commit stores the session under token until expiry.
func (ss *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return ss.writer.Commit(token, b, expiry)
}

// Delete removes the session stored under token.
func (ss *sessionStore) Delete(token string) error { return ss.writer.Delete(token) }

// stopCleanup ends the periodic deletion of expired sessions.
func (ss *sessionStore) stopCleanup() { ss.writer.StopCleanup() }
