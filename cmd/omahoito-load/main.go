// Command omahoito-load drives a running omahoito on this machine with
// many citizens at once and checks afterwards that every record is exactly
// what the clients were told (see package internal/loadtest):
//
//	omahoito-load [--base-url http://127.0.0.1:8080] [--citizens 256] [--duration 60s]
//	              [--wal ./data/omahoito.db-wal] [--wal-limit-mib 64]
//
// The service must run with rate limits off ({"rate_limits": "off"} in its
// --config file), or its limits answer the load with 429s, counted as errors.
//
// It refuses an address that is not loopback. It prints the report and
// exits 1 when any request failed, any record differs, a citizen could not
// log in or the WAL grew over its limit; 2 when the run could not be made.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/omahoito/omahoito/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: exit code from arguments.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	rep, err := loadtest.Run(ctx, cfg)
	if werr := rep.WriteText(stdout); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		fmt.Fprintln(stderr, "omahoito-load:", err)
		return 2
	}
	failures := rep.Failures()
	for _, f := range failures {
		fmt.Fprintln(stderr, "FAIL:", f)
	}
	if len(failures) > 0 {
		return 1
	}
	fmt.Fprintln(stdout, "PASS: 0 errors, 0 discrepancies")
	return 0
}

func parseFlags(args []string, stderr io.Writer) (loadtest.Config, error) {
	fs := flag.NewFlagSet("omahoito-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg loadtest.Config
	var walMiB int64
	fs.StringVar(&cfg.BaseURL, "base-url", "http://127.0.0.1:8080", "omahoito to drive (loopback only)")
	fs.IntVar(&cfg.Citizens, "citizens", loadtest.DefaultCitizens, "citizens reading and writing at once")
	fs.DurationVar(&cfg.Duration, "duration", loadtest.DefaultDuration, "length of the load phase")
	fs.IntVar(&cfg.ReadsPerWrite, "reads-per-write", loadtest.DefaultReadsPerWrite, "reads after each write")
	fs.DurationVar(&cfg.Timeout, "timeout", loadtest.DefaultTimeout, "per request")
	fs.Int64Var(&cfg.MaxRequests, "max-requests", loadtest.DefaultMaxRequests, "cap on load-phase requests")
	fs.IntVar(&cfg.LoginConcurrency, "login-concurrency", loadtest.DefaultLoginConcurrency, "logins (and final checks) at once")
	fs.StringVar(&cfg.Region, "region", loadtest.DefaultRegion, "region a first login registers in")
	fs.StringVar(&cfg.WALPath, "wal", "", "SQLite WAL file to sample each second, e.g. ./data/omahoito.db-wal")
	fs.Int64Var(&walMiB, "wal-limit-mib", loadtest.DefaultWALLimit>>20, "largest acceptable WAL size")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "omahoito-load: unexpected argument %q\n", fs.Arg(0))
		return cfg, flag.ErrHelp
	}
	cfg.WALLimit = walMiB << 20
	return cfg, nil
}
