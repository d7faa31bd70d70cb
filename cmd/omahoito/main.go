// Command omahoito runs the personal-data service of the patient portal.
//
//	omahoito serve [--addr 127.0.0.1:8080] [--data ./data] [--config FILE]
//	omahoito audit verify [--region REGION] [--head REGISTER:SEQ:HEX]... [--public-key FILE]... [--data ./data] [--config FILE]
//	omahoito audit public-key [--data ./data] [--config FILE]
//	omahoito keys rotate [--data ./data] [--config FILE]
//	omahoito directory import FILE [--data ./data] [--config FILE]
//	omahoito export --person ID --operator ID --out FILE.zip [--data ./data] [--config FILE]
//	omahoito import FILE.zip --region REGION [--data ./data] [--config FILE]
//	omahoito transfer --to REGION --operator ID (--person ID... | --hetu-file FILE) [--data ./data] [--config FILE]
//
// With no configuration it runs on SQLite under --data with the development
// identity provider and the demo regions kainuu and oulu. With real issuers
// nothing is seeded: the directory comes from omahoito directory import.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: omahoito <command> [flags]

commands:
  serve   run the portal (omahoito serve --help for flags)
  audit   verify the access log, print its public key (omahoito audit verify --help, omahoito audit public-key)
  keys    rewrap the files' data keys under the current master key (omahoito keys rotate --help)
  directory  import regions, care units and professionals from a file (omahoito directory import --help)
  export  write one person's signed transfer package (omahoito export --help)
  import  copy a signed transfer package into a region's register (omahoito import --help)
  transfer  move people to another region (omahoito transfer --help)
`

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, nil)
	case "audit":
		return runAuditCommand(ctx, args[1:], stdout, stderr)
	case "keys":
		return runKeysCommand(ctx, args[1:], stdout, stderr)
	case "directory":
		return runDirectoryCommand(ctx, args[1:], stdout, stderr)
	case "export":
		return runExportCommand(ctx, args[1:], stdout, stderr)
	case "transfer":
		return runTransferCommand(ctx, args[1:], stdout, stderr)
	case "import":
		return runImportCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "omahoito: unknown command %q\n%s", args[0], usage)
	return 2
}

// serve runs the portal until ctx ends. ready, when not nil, receives the
// base URL once the listener is open (tests use it).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address (default 127.0.0.1:8080)")
	data := fs.String("data", "", "data directory for SQLite, files and development keys (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "omahoito: %v\n", err)
		return 1
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *data != "" {
		cfg.DataDir = *data
	}
	cfg.applyDefaults()
	log := newLogger(stderr, cfg.LogLevel)
	slog.SetDefault(log) // libraries that log through slog write JSON too
	if err := listenAndServe(ctx, cfg, log, ready); err != nil {
		fmt.Fprintf(stderr, "omahoito: %s\n", oneLine(err))
		return 1
	}
	return 0
}

func listenAndServe(ctx context.Context, cfg Config, log *slog.Logger, ready chan<- string) error {
	ln, err := listen(cfg)
	if err != nil {
		return err
	}
	defer ln.Close()
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + ln.Addr().String()
	}
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	a.startSweeper(ctx, filesSweepEvery)
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("omahoito listening", "base_url", cfg.BaseURL, "database", databaseKind(cfg), "version", version)
	if ready != nil {
		ready <- cfg.BaseURL
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// listen opens the listener. The development provider's reach is checked
// before a port is opened, and again on the address actually bound, in case
// "localhost" resolves to something else on this machine.
func listen(cfg Config) (net.Listener, error) {
	dev, err := cfg.devIDP()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on --addr %s: %w", cfg.Addr, err)
	}
	if dev && !isLoopbackAddr(ln.Addr().String()) {
		ln.Close()
		return nil, fmt.Errorf("%w: addr %s listens on %s, which is not loopback; the development provider serves only this machine", errConfig, cfg.Addr, ln.Addr())
	}
	return ln, nil
}

func databaseKind(cfg Config) string {
	if cfg.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// oneLine folds a multi-line error (pgx lists every address it tried) into
// one line, so a failed start says what is wrong in one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
