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

const auditUsage = `usage: omahoito audit verify [--region REGION] [--head REGISTER:SEQ:HEXHASH]...
                             [--public-key FILE]... [--data DIR] [--config FILE]
       omahoito audit public-key [--data DIR] [--config FILE]

verify recomputes the access log's hash chain of every register (or of
REGION) against its signed checkpoint, against each --head remembered
outside the database (from a checkpoint log line or an earlier verify's
output), and names the first entry changed, removed or reordered, or a cut
tail. With --public-key (PEM PUBLIC KEY files, current and rotated keys)
checkpoints are checked with those keys only and the private signing key is
not read. Exit status: 0 sound, 1 a problem or an error, 2 usage.

public-key prints the configured signing key's public half in PEM, to hand
to an auditor.
`

// runAuditCommand runs "omahoito audit ..." (args after "audit") and
// returns the exit code.
func runAuditCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	case "public-key":
		return runAuditPublicKey(args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, auditUsage)
	return 2
}

// listFlag is a flag that may be given many times.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// auditFlags are the flags every audit subcommand takes.
type auditFlags struct {
	fs         *flag.FlagSet
	data       *string
	configPath *string
}

func newAuditFlags(name string, stderr io.Writer) auditFlags {
	fs := flag.NewFlagSet("audit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, auditUsage) }
	return auditFlags{fs: fs,
		data:       fs.String("data", "", "data directory for SQLite and the development signing key (default ./data)"),
		configPath: fs.String("config", "", "JSON configuration file"),
	}
}

// parse parses args and loads the configuration; code is non-zero when
// the command must stop with it.
func (f auditFlags) parse(args []string, stderr io.Writer) (cfg Config, code int) {
	if err := f.fs.Parse(args); err != nil {
		return cfg, 2
	}
	if f.fs.NArg() != 0 {
		fmt.Fprint(stderr, auditUsage)
		return cfg, 2
	}
	cfg, err := loadConfig(*f.configPath)
	if err != nil {
		fmt.Fprintf(stderr, "omahoito: %v\n", err)
		return cfg, 1
	}
	if *f.data != "" {
		cfg.DataDir = *f.data
	}
	cfg.applyDefaults()
	return cfg, 0
}

// verifyRequest is what "audit verify" was asked to do.
type verifyRequest struct {
	region     string
	heads      []audit.Checkpoint
	publicKeys []string // files; empty: the configured private key's public half
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("verify", stderr)
	region := f.fs.String("region", "", "verify this register only (default: every register)")
	var heads, pubs listFlag
	f.fs.Var(&heads, "head", "a head remembered outside the database, REGISTER:SEQ:HEXHASH (repeatable)")
	f.fs.Var(&pubs, "public-key", "PEM file of a checkpoint signing public key, current or rotated (repeatable); the private key is then not read")
	cfg, code := f.parse(args, stderr)
	if code != 0 {
		return code
	}
	req := verifyRequest{region: *region, publicKeys: pubs}
	for i, h := range heads {
		cp, err := audit.ParseHead(h)
		if err == nil && req.region != "" && cp.Register != req.region {
			err = fmt.Errorf("it names register %s, but --region is %s", cp.Register, req.region)
		}
		if err != nil {
			fmt.Fprintf(stderr, "omahoito audit verify: --head #%d: %v\n", i+1, err)
			return 2
		}
		req.heads = append(req.heads, cp)
	}
	if err := auditVerify(ctx, cfg, req, stdout); err != nil {
		fmt.Fprintf(stderr, "omahoito audit verify: %s\n", oneLine(err))
		return 1
	}
	return 0
}

func runAuditPublicKey(args []string, stdout, stderr io.Writer) int {
	f := newAuditFlags("public-key", stderr)
	cfg, code := f.parse(args, stderr)
	if code != 0 {
		return code
	}
	key, err := audit.ReadKey(signingKeyPath(cfg))
	if err == nil {
		var out []byte
		if out, err = audit.EncodePublicKey(key.Public().(ed25519.PublicKey)); err == nil {
			_, err = stdout.Write(out)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "omahoito audit public-key: %s\n", oneLine(err))
		return 1
	}
	return 0
}

// errProblem is a register whose chain did not verify; the problem itself
// has been printed.
var errProblem = errors.New("the access log did not verify")

func auditVerify(ctx context.Context, cfg Config, req verifyRequest, stdout io.Writer) error {
	keys, err := verifyKeys(cfg, req.publicKeys)
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
	registers, err := verifyRegisters(ctx, store, req)
	if err != nil {
		return err
	}
	if len(registers) == 0 {
		fmt.Fprintln(stdout, "the access log is empty: no register has entries or checkpoints")
	}
	failed := false
	for _, r := range registers {
		rep, err := audit.VerifyWith(ctx, store, r, keys, audit.VerifyOptions{Heads: req.heads})
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

// verifyRegisters is the region asked for, else every register the store
// knows and every one a remembered head names: a register whose entries
// and checkpoints were all deleted is known to the heads only.
func verifyRegisters(ctx context.Context, store audit.Store, req verifyRequest) ([]string, error) {
	if req.region != "" {
		return []string{req.region}, nil
	}
	registers, err := store.Registers(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(registers))
	for _, r := range registers {
		seen[r] = true
	}
	for _, h := range req.heads {
		if !seen[h.Register] {
			seen[h.Register] = true
			registers = append(registers, h.Register)
		}
	}
	return registers, nil
}

// reportLine is one register's result on one line. Its head is in the
// form --head takes, so a line kept today is tomorrow's remembered head.
func reportLine(rep audit.Report) string {
	if rep.Problem != nil {
		return fmt.Sprintf("register %s: PROBLEM %s", rep.Register, rep.Problem)
	}
	cp := "no checkpoint"
	if rep.Checkpoint != nil {
		cp = fmt.Sprintf("last checkpoint seq %d", rep.Checkpoint.Seq)
	}
	line := fmt.Sprintf("register %s: %d entries, head %s, %s", rep.Register, rep.Entries, rep.HeadRef(), cp)
	if rep.Remembered > 0 {
		line += fmt.Sprintf(", %d remembered heads match", rep.Remembered)
	}
	return line
}

// verifyKeys are the public keys of the files given, else the configured
// signing key's public half.
func verifyKeys(cfg Config, files []string) (map[string]ed25519.PublicKey, error) {
	if len(files) == 0 {
		return auditPublicKeys(cfg)
	}
	var pubs []ed25519.PublicKey
	for _, f := range files {
		ps, err := audit.ReadPublicKeys(f)
		if err != nil {
			return nil, err
		}
		pubs = append(pubs, ps...)
	}
	return audit.PublicKeyMap(pubs...), nil
}

// signingKeyPath is audit_signing_key, else the development key under the
// data directory.
func signingKeyPath(cfg Config) string {
	if cfg.AuditSigningKey != "" {
		return cfg.AuditSigningKey
	}
	return filepath.Join(cfg.DataDir, "audit-signing.key")
}

// auditPublicKeys is the checkpoint signing key's public half. Nothing is
// created: without a development key, checkpoints read as signed by an
// unknown key.
func auditPublicKeys(cfg Config) (map[string]ed25519.PublicKey, error) {
	path := signingKeyPath(cfg)
	key, err := audit.ReadKey(path)
	if cfg.AuditSigningKey == "" && errors.Is(err, fs.ErrNotExist) {
		return map[string]ed25519.PublicKey{}, nil
	}
	if err != nil {
		return nil, err
	}
	return audit.PublicKeys(key), nil
}
