// Package loadtest drives a running omahoito the way many citizens at once
// would: each logs in through the development identity provider, then
// writes home measurements and reads them back over the FHIR API until the
// run's time is up. At the end it checks every citizen's record against
// what the service told the clients — same records, same values, none
// missing, none extra, none stored after the client was told it failed —
// and reports throughput, latency, every error by kind and, for SQLite, the
// largest size the write-ahead log reached.
//
// The driver is bounded: it stops by itself after the configured duration
// or request count, and it refuses any address that is not loopback, so it
// cannot be turned against a shared or public server.
package loadtest
