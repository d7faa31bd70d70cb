package postgres

import "context"

// ExecRaw runs a statement with '?' placeholders, bypassing the domain:
// for the tamper tests of the access log (storetest), which change the
// database as an attacker with access to it would. Defined in a test
// file, so it is not part of the store's API.
func (s *Store) ExecRaw(ctx context.Context, query string, args ...any) error {
	_, err := s.pool.Exec(ctx, dialect.Rebind(query), args...)
	return err
}
