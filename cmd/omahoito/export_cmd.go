package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
)

const exportUsage = `usage: omahoito export --person ID --operator ID --out FILE.zip [--data DIR] [--config FILE]

export writes the signed transfer package of one person (DESIGN §12,
docs/transfer-package.md): FHIR R4 NDJSON of their Patient, every version
of every measurement, every consent, their access log (oldest first) and
their files' descriptions, and the files' content under files/. It is
signed with the home region's access-log signing key (audit_signing_key;
omahoito audit public-key prints its public half for the importing side).
--operator is an operator of the person's home region in the directory;
the export is written to the person's access log in their name. The
package is written beside FILE under a temporary name and renamed when
complete: on any error no FILE is left. FILE must not exist.
Exit status: 0 done, 1 an error, 2 usage.
`

// exportRequest is what "export" was asked to do.
type exportRequest struct {
	person, operator, out string
}

// runExportCommand runs "omahoito export ..." (args after "export") and
// returns the exit code.
func runExportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exportUsage) }
	var req exportRequest
	fs.StringVar(&req.person, "person", "", "the person's id on the platform (never the personal identity code)")
	fs.StringVar(&req.operator, "operator", "", "the directory id of the operator of the person's home region who exports")
	fs.StringVar(&req.out, "out", "", "the package to write, FILE.zip; must not exist")
	data := fs.String("data", "", "data directory for SQLite, files and development keys (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || req.person == "" || req.operator == "" || req.out == "" {
		fmt.Fprint(stderr, exportUsage)
		return 2
	}
	return runConfigured("export", *configPath, *data, stderr, func(cfg Config) error {
		return exportPerson(ctx, cfg, req, stdout)
	})
}

// exportSources is what an export reads: the store, the person index,
// the bucket, and what the package is signed with and says of its source.
type exportSources struct {
	store   storage
	people  *auth.People
	content *blob.Store
	key     ed25519.PrivateKey
	source  exchange.Source
}

// exportPerson checks everything it can before it writes a byte, then
// writes the package to a temporary file, logs the export and renames.
func exportPerson(ctx context.Context, cfg Config, req exportRequest, stdout io.Writer) error {
	if _, err := os.Lstat(req.out); err == nil {
		return fmt.Errorf("--out %s exists; name a new file", req.out)
	}
	a := &app{}
	defer a.Close()
	src, err := openExportSources(ctx, a, cfg)
	if err != nil {
		return err
	}
	person, err := src.people.Person(ctx, req.person)
	if errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("person %s is not in the person index", req.person)
	}
	if err != nil {
		return fmt.Errorf("person %s: %w", req.person, err)
	}
	actor, err := exportOperator(ctx, src.store, req.operator, person.HomeRegion)
	if err != nil {
		return err
	}
	src.source.Region = person.HomeRegion
	tmp, err := os.CreateTemp(filepath.Dir(req.out), "."+filepath.Base(req.out)+".*.tmp")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum, err := writePackage(ctx, tmp, src, person)
	if err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// The data leaves when the file appears: the access log has the export
	// first, or there is no file.
	if err := logExport(ctx, src, actor, person, sum); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), req.out); err != nil {
		return err
	}
	done = true
	fmt.Fprintln(stdout, sum.line(req.out))
	return nil
}

// openExportSources opens the database, the person index's key, the
// bucket with the files' master keys and the signing key, each refused
// with the setting it lacks as serve would refuse it.
func openExportSources(ctx context.Context, a *app, cfg Config) (exportSources, error) {
	var src exportSources
	dev, err := cfg.devIDP()
	if err != nil {
		return src, err
	}
	if src.source.Deployment, err = deploymentName(cfg, dev); err != nil {
		return src, err
	}
	if src.store, err = a.openStorage(ctx, cfg); err != nil {
		return src, err
	}
	keys, err := hetuKeys(cfg, dev)
	if err != nil {
		return src, err
	}
	src.people = &auth.People{Store: src.store, Keys: keys}
	if src.key, err = auditKey(cfg, dev); err != nil {
		return src, err
	}
	if !dev && len(cfg.FilesMasterKeys) == 0 {
		return src, fmt.Errorf("%w: files_master_keys is required when real issuers are configured", errConfig)
	}
	ring, _, err := masterKeys(cfg)
	if err != nil {
		return src, err
	}
	if src.content, err = openBucket(ctx, cfg, ring); err != nil {
		return src, err
	}
	a.closers = append(a.closers, func() { _ = src.content.Close() })
	return src, nil
}

// exportOperator is the access log's actor for the operator id: an
// operator of the person's home region, as the directory has them now.
func exportOperator(ctx context.Context, dir auth.Store, id, region string) (audit.Actor, error) {
	pro, err := dir.Professional(ctx, id)
	if errors.Is(err, auth.ErrNotFound) {
		return audit.Actor{}, fmt.Errorf("--operator %s is not in the directory", id)
	}
	if err != nil {
		return audit.Actor{}, fmt.Errorf("--operator %s: %w", id, err)
	}
	if pro.Role != auth.RoleOperator || pro.RegionID != region {
		return audit.Actor{}, fmt.Errorf("--operator %s is not an operator of region %s, the person's home region", id, region)
	}
	actor := audit.Actor{Kind: string(auth.KindOperator), ID: pro.ID, Name: joinNonEmpty(" ", pro.GivenName, pro.FamilyName),
		Title: pro.Title, UnitID: pro.CareUnitID, Client: "omahoito export"}
	if pro.CareUnitID != "" {
		unit, err := dir.CareUnit(ctx, pro.CareUnitID)
		if err != nil && !errors.Is(err, auth.ErrNotFound) {
			return audit.Actor{}, fmt.Errorf("care unit of --operator %s: %w", id, err)
		}
		actor.UnitName = unit.Name
	}
	return actor, nil
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p != "" && out != "" {
			out += sep
		}
		out += p
	}
	return out
}

// logExport appends the export to the person's register and waits for
// the log's final checkpoint, so that audit verify sees it signed.
func logExport(ctx context.Context, src exportSources, actor audit.Actor, person auth.Person, sum exportSummary) error {
	l := audit.NewLog(src.store, src.key, audit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e := audit.Entry{
		Register: person.HomeRegion, Time: time.Now(), RequestID: sum.id, Actor: actor,
		PatientID: person.ID, Action: "export", Class: string(record.ClassEverything),
		Count: sum.resources(), Outcome: audit.Permit,
	}
	err := l.Append(ctx, e)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %w", audit.ErrUnavailable, err)
	}
	return nil
}
