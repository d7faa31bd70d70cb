// Package record holds what a citizen keeps about their own health: home
// measurements today, files, notes, messages and lab results later. It owns
// the types, the plausibility rules and unit conversions, versioning, and the
// Service through which every read and write of a person's record passes
// (the single place where access is decided). It imports no HTTP or SQL
// package; storage is behind the Store interface.
package record
