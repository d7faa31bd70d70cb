package jobs

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migratePostgres brings river's tables in the pool's database and schema
// (its search_path) to the newest version. River's migrator takes no lock
// of its own, so nodes starting together take turns under an advisory lock
// per database and schema, held on a connection of its own while the
// migrator works through the rest of the pool.
func migratePostgres(ctx context.Context, driver *riverpgxv5.Driver, pool *pgxpool.Pool, logger *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer conn.Release()
	var where string
	if err := conn.QueryRow(ctx, `SELECT current_database() || '/' || coalesce(current_schema(), '')`).Scan(&where); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("omahoito river " + where))
	key := int64(h.Sum64())
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	defer unlock(conn.Conn(), key)
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(logger)})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// unlock releases the advisory lock even when the caller's context ended;
// a lock it could not release goes with the connection's session.
func unlock(conn *pgx.Conn, key int64) {
	if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key); err != nil {
		_ = conn.Close(context.Background())
	}
}

// migrateSQLite brings river's tables in the database to the newest
// version. Each version is applied in a write transaction of its own; a
// process that started on the same file at the same moment and lost the
// race for a version sees it applied when it tries again.
func migrateSQLite(ctx context.Context, driver *riversqlite.Driver, logger *slog.Logger) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(logger)})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	// A try that lost a race lost it on a version another process has
	// committed since: each try starts at least one version further.
	for range len(m.AllVersions()) + 1 {
		if _, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// quiet is logger without its Debug and Info records: the migrator says
// "no migrations to apply" at every start.
func quiet(logger *slog.Logger) *slog.Logger {
	return slog.New(warnHandler{logger.Handler()})
}

type warnHandler struct{ slog.Handler }

func (h warnHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return warnHandler{h.Handler.WithAttrs(as)}
}

func (h warnHandler) WithGroup(name string) slog.Handler {
	return warnHandler{h.Handler.WithGroup(name)}
}
