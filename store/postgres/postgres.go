// Package postgres is omahoito's persistence on PostgreSQL, for production:
// a pgx connection pool, migrated with goose at Open. It implements the
// domain stores (auth.Store) and hands out the web session store over the
// same pool. Tables are created in, and looked up through, the connection's
// search_path, so one database can hold several isolated schemas.
//
// Queries are written once for both stores in store/internal (see
// store/internal/sqlq); this package binds them to PostgreSQL and pgx.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ auth.Store = (*Store)(nil)

// dialect is how this store's queries are written.
const dialect = sqlq.Postgres

const (
	// defaultConnectTimeout applies when the URL sets no connect_timeout.
	defaultConnectTimeout = 10 * time.Second
	// sessionCleanupInterval is how often expired web sessions are deleted.
	sessionCleanupInterval = 5 * time.Minute
)

// Store is an open PostgreSQL connection pool. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool

	mu           sync.Mutex
	sessions     *pgxstore.PostgresStore // created on first SessionStore call
	cleanupEvery time.Duration
	stopCleanup  chan struct{} // closed by Close
	cleanupDone  chan struct{} // closed when the cleanup goroutine returns
	closed       bool

	fileStore // record.FileStore
}

// Options tune a Store beyond what the URL says.
type Options struct {
	// PoolSize is the most connections the pool opens. Zero: the URL's
	// pool_max_conns when it has one, else DefaultPoolSize.
	PoolSize int
}

// DefaultPoolSize is the pool size when neither Options nor the URL set
// one: enough connections for every core to have queries waiting on I/O.
func DefaultPoolSize() int { return max(4, 4*runtime.GOMAXPROCS(0)) }

// Open connects to the database at url (a postgres:// URL) with the
// default Options, checks that it answers and migrates it to the newest
// schema. Errors never show the password of the URL.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith is Open with opts.
func OpenWith(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parser's message may quote the URL: leave it out.
		return nil, &openError{msg: "postgres: database could not be reached: the database URL is invalid (not shown: it may hold a password)", err: err}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	switch {
	case opts.PoolSize > 0:
		cfg.MaxConns = int32(min(opts.PoolSize, 1<<16))
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = int32(DefaultPoolSize())
	}
	secret := cfg.ConnConfig.Password
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, redact(fmt.Errorf("postgres: database could not be reached: %w", err), secret)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, redact(fmt.Errorf("postgres: database could not be reached: %w", err), secret)
	}
	if err := migrate(ctx, cfg); err != nil {
		pool.Close()
		return nil, redact(fmt.Errorf("postgres: %w", err), secret)
	}
	s := &Store{pool: pool, cleanupEvery: sessionCleanupInterval}
	s.fileStore = fileStore{Dialect: dialect, Read: fileDB{pool}, InTx: s.inFileTx, Map: mapErr}
	return s, nil
}

// migrate applies the embedded migrations through database/sql, with its
// own short-lived connections of the same configuration (and so the same
// search_path: goose's version table lands in the same schema).
func migrate(ctx context.Context, cfg *pgxpool.Config) error {
	db := stdlib.OpenDB(*cfg.ConnConfig)
	defer db.Close()
	var where string
	if err := db.QueryRowContext(ctx, `SELECT current_database() || '/' || coalesce(current_schema(), '')`).Scan(&where); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// One advisory lock per database and schema: processes migrating the
	// same schema take turns; different schemas do not wait for each other.
	h := fnv.New64a()
	h.Write([]byte("omahoito goose " + where))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Pool is the underlying connection pool, for other stores of this kind.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// SessionStore is the web session store (scs) over this pool. Every call
// returns the same store; deletion of expired sessions runs in the
// background until Close.
func (s *Store) SessionStore() scs.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions == nil {
		// pgxstore's own cleanup goroutine sets its stop channel after it
		// starts, racing with StopCleanup; this store runs its own instead.
		s.sessions = pgxstore.NewWithCleanupInterval(s.pool, 0)
		if !s.closed {
			s.stopCleanup, s.cleanupDone = make(chan struct{}), make(chan struct{})
			go s.cleanSessions(s.cleanupEvery)
		}
	}
	return s.sessions
}

func (s *Store) cleanSessions(every time.Duration) {
	defer close(s.cleanupDone)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-s.stopCleanup:
			return
		case <-ticker.C:
			// Errors are left for the next tick: a database that is down
			// shows in /readyz, not in a log line every few minutes.
			_ = s.deleteExpiredSessions()
		}
	}
}

func (s *Store) deleteExpiredSessions() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < current_timestamp`)
	return err
}

// Close stops the session cleanup and closes the pool.
func (s *Store) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.stopCleanup != nil {
		close(s.stopCleanup)
		<-s.cleanupDone
	}
	s.pool.Close()
}

// openError is an error whose message is fixed by this package while the
// driver's error stays in the chain for errors.Is and errors.As.
type openError struct {
	msg string
	err error
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() error { return e.err }

// redact keeps the password out of err's message, should a driver message
// ever quote the connection string.
func redact(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &openError{msg: strings.ReplaceAll(err.Error(), secret, "xxxxx"), err: err}
}
