//go:build race

package exchange

// raceEnabled: the tests run under the race detector.
const raceEnabled = true
