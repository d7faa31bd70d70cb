// Package auth holds omahoito's identity model: people (citizens), the
// personal identity code (hetu), professionals, care units, regions and the
// principal acting on a request. It does no I/O of its own: persistence is
// behind the Store interface, implemented by store/sqlite and store/postgres.
package auth
