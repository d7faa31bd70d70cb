// Package sqlite is omahoito's persistence on SQLite, the embedded default:
// a single database file opened with the pure-Go driver modernc.org/sqlite,
// migrated with goose at Open. It implements the domain stores (auth.Store)
// and hands out the web session store over the same database.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/omahoito/omahoito/auth"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ auth.Store = (*Store)(nil)

// sessionCleanupInterval is how often expired web sessions are deleted.
const sessionCleanupInterval = 5 * time.Minute

// Store is an open SQLite database. It is safe for concurrent use.
type Store struct {
	db *sql.DB

	mu           sync.Mutex
	sessions     *sqlite3store.SQLite3Store // created on first SessionStore call
	cleanupEvery time.Duration
	closed       bool
}

// Open opens (creating if needed) the database file at path, and its parent
// directories, and migrates it to the newest schema. Every pooled connection
// runs in WAL mode with foreign keys enforced, a 5 s busy timeout and
// synchronous=NORMAL; transactions begin IMMEDIATE so that a read followed
// by a write in one transaction waits for the write lock instead of failing.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create database directory: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return &Store{db: db, cleanupEvery: sessionCleanupInterval}, nil
}

// dsn is the modernc.org/sqlite data source name for path. The _pragma
// parameters run on every new connection of the pool, not just the first.
func dsn(path string) string {
	// In an SQLite URI filename '?' and '#' end the path and '%' escapes.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	params := []string{
		"_pragma=busy_timeout(5000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(ON)",
		"_pragma=synchronous(NORMAL)",
		"_txlock=immediate",
	}
	return "file:" + escaped + "?" + strings.Join(params, "&")
}

func migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// DB is the underlying database, for other stores of this package's kind.
func (s *Store) DB() *sql.DB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// SessionStore is the web session store (scs) over this database. Every
// call returns the same store; its background deletion of expired sessions
// stops at Close.
func (s *Store) SessionStore() scs.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions == nil {
		interval := s.cleanupEvery
		if s.closed {
			interval = 0 // no goroutine that Close would never stop
		}
		s.sessions = sqlite3store.NewWithCleanupInterval(s.db, interval)
	}
	return s.sessions
}

// Close stops the session cleanup and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.sessions != nil {
		s.sessions.StopCleanup()
	}
	return s.db.Close()
}
