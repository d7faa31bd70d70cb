package postgres_test

import (
	"testing"

	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/storetest"
)

// BenchmarkAppendAudit: access-log appends with group commit from 1, 8 and
// 64 appenders, beside one transaction per entry ("unbatched").
func BenchmarkAppendAudit(b *testing.B) {
	storetest.BenchAppend(b, func(b *testing.B) storetest.Stores { return pgtest.Open(b) })
}
