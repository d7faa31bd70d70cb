package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/omahoito/omahoito/audit"
)

const auditUsage = `usage: omahoito audit verify [--region REGION] [--data DIR] [--config FILE]

Recomputes the access log's hash chain of every register (or of REGION)
against its signed checkpoint and names the first entry changed, removed
or reordered, or a cut tail. Exit status: 0 sound, 1 a problem or an
error, 2 usage.
`

// runAuditCommand runs "omahoito audit ..." (args after "audit") and
// returns the exit code.
func runAuditCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	region := fs.String("region", "", "verify this register only (default: every register)")
	data := fs.String("data", "", "data directory for SQLite and the development signing key (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "omahoito: %v\n", err)
		return 1
	}
	if *data != "" {
		cfg.DataDir = *data
	}
	cfg.applyDefaults()
	if err := auditVerify(ctx, cfg, *region, stdout); err != nil {
		fmt.Fprintf(stderr, "omahoito audit verify: %s\n", oneLine(err))
		return 1
	}
	return 0
}

// errProblem is a register whose chain did not verify; the problem itself
// has been printed.
var errProblem = errors.New("the access log did not verify")

func auditVerify(ctx context.Context, cfg Config, region string, stdout io.Writer) error {
	keys, err := auditPublicKeys(cfg)
	if err != nil {
		return err
	}
	a := &app{}
	defer a.Close()
	st, err := a.openStorage(ctx, cfg)
	if err != nil {
		return err
	}
	store, ok := any(st).(audit.Store)
	if !ok {
		return errors.New("the database has no access log")
	}
	registers := []string{region}
	if region == "" {
		if registers, err = store.Registers(ctx); err != nil {
			return err
		}
	}
	failed := false
	for _, r := range registers {
		rep, err := audit.Verify(ctx, store, r, keys)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, reportLine(rep))
		failed = failed || rep.Problem != nil
	}
	if failed {
		return errProblem
	}
	return nil
}

// reportLine is one register's result on one line.
func reportLine(rep audit.Report) string {
	if rep.Problem != nil {
		return fmt.Sprintf("register %s: PROBLEM %s", rep.Register, rep.Problem)
	}
	cp := "no checkpoint"
	if rep.Checkpoint != nil {
		cp = fmt.Sprintf("last checkpoint seq %d", rep.Checkpoint.Seq)
	}
	return fmt.Sprintf("register %s: %d entries, head %x, %s", rep.Register, rep.Entries, rep.Head, cp)
}

// auditPublicKeys is the checkpoint signing key's public half: from
// audit_signing_key, else the development key under the data directory.
// Nothing is created: without a key, checkpoints read as signed by an
// unknown key.
func auditPublicKeys(cfg Config) (map[string]ed25519.PublicKey, error) {
	path := cfg.AuditSigningKey
	if path == "" {
		path = filepath.Join(cfg.DataDir, "audit-signing.key")
		if _, err := audit.ReadKey(path); errors.Is(err, fs.ErrNotExist) {
			return map[string]ed25519.PublicKey{}, nil
		}
	}
	key, err := audit.ReadKey(path)
	if err != nil {
		return nil, err
	}
	return audit.PublicKeys(key), nil
}
