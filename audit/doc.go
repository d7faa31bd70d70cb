// Package audit is the access log: one entry for every read or search of a
// person's data by anyone but that person, permitted or denied, written
// before any data leaves. Entries form a hash chain per register (region),
// appended with group commit so concurrent readers share one transaction;
// signed checkpoints remember the head so that a cut tail shows; Verify
// names the first entry changed, removed or reordered. No HTTP, no SQL.
package audit
