// Package sqlite is omahoito's persistence on SQLite, the embedded default:
// a single database file opened with the pure-Go driver modernc.org/sqlite,
// migrated with goose at Open. It implements the domain stores (auth.Store,
// record.Store) and hands out the web session store over the same database.
//
// Writes queue inside the process instead of failing: one writer
// connection takes every write transaction (and the session store's
// writes) in turn, while a pool of read-only connections serves reads,
// session loads included, concurrently (WAL mode). Load therefore costs
// latency, never a "database is locked" error. A background checkpoint
// keeps the WAL file bounded even when readers never pause. The data directory and the
// database files are kept readable by the service's user only.
//
// Queries are written once for both stores in store/internal (see
// store/internal/sqlq); this package binds them to SQLite.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

//go:embed migrations/*.sql
var migrations embed.FS

var (
	_ auth.Store   = (*Store)(nil)
	_ record.Store = (*Store)(nil)
)

// dialect is how this store's queries are written.
const dialect = sqlq.SQLite

const (
	// sessionCleanupInterval is how often expired web sessions are deleted.
	sessionCleanupInterval = 5 * time.Minute
	// busyTimeoutMS is how long a connection waits for a lock held by
	// another process (or by a checkpoint) before it gives up.
	busyTimeoutMS = 5000
	// walLimit is the WAL size above which the writer checkpoints and
	// truncates it, waiting for readers to move on; journalSizeLimit is
	// what SQLite truncates the WAL to after an ordinary checkpoint.
	walLimit         = 64 << 20
	journalSizeLimit = 64 << 20
	// checkpointEvery is how often the WAL's size is looked at.
	checkpointEvery = time.Second
)

// Store is an open SQLite database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB // the writer: one connection, so writes queue in Go
	read *sql.DB // read-only connections
	path string

	walLimit       int64
	stopCheckpoint chan struct{} // closed by Close
	checkpointDone chan struct{} // closed when the checkpoint goroutine returns

	mu           sync.Mutex
	sessions     *sessionStore // created on first SessionStore call
	cleanupEvery time.Duration
	closed       bool

	fileStore // record.FileStore
}

// Open opens (creating if needed) the database file at path, and its parent
// directories, and migrates it to the newest schema. The database's
// directory is made 0700 and its files 0600, also when they existed with
// wider permissions. Connections run in WAL mode with foreign keys
// enforced, a 5 s busy timeout and synchronous=NORMAL; write transactions
// begin IMMEDIATE on the one writer connection, so a read followed by a
// write in one transaction never fails for a concurrent writer.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, walLimit, checkpointEvery)
}

func open(ctx context.Context, path string, limit int64, every time.Duration) (*Store, error) {
	if err := secureFiles(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := migrate(ctx, path); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	s := &Store{path: path, walLimit: limit, cleanupEvery: sessionCleanupInterval}
	var err error
	if s.db, err = openPool(ctx, writerDSN(path), 1); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if s.read, err = openPool(ctx, readerDSN(path), readers()); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The WAL and shared-memory files exist now; SQLite gives them the
	// database file's mode, but a file left by an older version may not.
	if err := secureSidecars(path); err != nil {
		s.read.Close()
		s.db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s.fileStore = fileStore{Dialect: dialect, Read: fileDB{s.read}, InTx: s.inFileTx, Map: mapErr}
	s.stopCheckpoint, s.checkpointDone = make(chan struct{}), make(chan struct{})
	go s.checkpointLoop(every)
	return s, nil
}

// readers is the size of the read pool: reads are CPU-bound in the
// pure-Go driver, so a few per core.
func readers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

func openPool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Idle connections stay open: each new one would run the pragmas again.
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// writerDSN is the data source name of the writer connection. The _pragma
// parameters run on every new connection, not just the first.
func writerDSN(path string) string {
	return uri(path, []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS),
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(ON)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=wal_autocheckpoint(1000)",
		fmt.Sprintf("_pragma=journal_size_limit(%d)", journalSizeLimit),
		"_txlock=immediate",
	})
}

// readerDSN is the data source name of the read pool: query_only, so a
// write sent to it by mistake fails at once instead of taking the lock.
// Readers map the database (mmap_size) and keep a 16 MB page cache each:
// without them every page a search touches is a pread system call.
func readerDSN(path string) string {
	return uri(path, []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS),
		"_pragma=foreign_keys(ON)",
		"_pragma=query_only(1)",
		"_pragma=cache_size(-16000)",
		"_pragma=mmap_size(268435456)",
	})
}

func uri(path string, params []string) string {
	// In an SQLite URI filename '?' and '#' end the path and '%' escapes.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + strings.Join(params, "&")
}

// migrate applies the embedded migrations with a connection of its own,
// closed before the pools open.
func migrate(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", writerDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
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

// secureFiles makes the database's directory (created if needed) 0700 and
// creates the database file 0600 before SQLite opens it, whatever the
// umask, correcting wider permissions left from before.
func secureFiles(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make the database directory private: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("make the database file private: %w", err)
	}
	return secureSidecars(path)
}

// secureSidecars makes SQLite's files beside the database 0600 where they exist.
func secureSidecars(path string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		err := os.Chmod(path+suffix, 0o600)
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("make %s private: %w", filepath.Base(path+suffix), err)
		}
	}
	return nil
}

// checkpointLoop keeps the WAL bounded. SQLite's automatic checkpoint
// copies pages back into the database but can only restart the WAL from
// its beginning when no reader still uses it; under steady reads that
// moment never comes and the file grows without bound. Past walLimit the
// writer runs a TRUNCATE checkpoint, which waits (up to the busy timeout)
// for the readers of the old WAL to finish while new readers read the
// database file, then empties the WAL.
func (s *Store) checkpointLoop(every time.Duration) {
	defer close(s.checkpointDone)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-s.stopCheckpoint:
			return
		case <-ticker.C:
			s.checkpointIfLarge()
		}
	}
}

func (s *Store) checkpointIfLarge() {
	fi, err := os.Stat(s.path + "-wal")
	if err != nil || fi.Size() < s.walLimit {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A checkpoint that could not finish is tried again on the next tick;
	// a database that is down shows in /readyz.
	_, _ = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
}

// DB is the writer: its one connection takes every write of the process
// in turn. Use it for writes only; ReadDB serves reads concurrently.
func (s *Store) DB() *sql.DB { return s.db }

// ReadDB is the pool of read-only connections.
func (s *Store) ReadDB() *sql.DB { return s.read }

// Ping checks that the database answers, for reads and for writes.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range []*sql.DB{s.read, s.db} {
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlite: ping: %w", err)
		}
	}
	return nil
}

// SessionStore is the web session store (scs) over this database: loads
// on the read pool, saves and deletes through the writer. Every call
// returns the same store; its background deletion of expired sessions
// stops at Close.
func (s *Store) SessionStore() scs.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions == nil {
		interval := s.cleanupEvery
		if s.closed {
			interval = 0 // no goroutine that Close would never stop
		}
		s.sessions = newSessionStore(s, interval)
	}
	return s.sessions
}

// Close stops the background work and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.sessions != nil {
		s.sessions.stopCleanup()
	}
	close(s.stopCheckpoint)
	<-s.checkpointDone
	rerr := s.read.Close()
	// The writer closes last: the last connection checkpoints and removes the WAL.
	if err := s.db.Close(); err != nil {
		return err
	}
	return rerr
}
