package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/record"
)

const importUsage = `usage: omahoito import FILE.zip --region REGION [--data DIR] [--config FILE]

import opens a transfer package (docs/transfer-package.md) made by
omahoito export, here or in another deployment, and copies the person's
record into the register of REGION (docs/operations.md "Import"). The
package must be signed by a region of trusted_regions, or by one of this
deployment's own regions; every digest is checked before anything is
stored. Then, by id and idempotently: the person (a person id or personal
identity code already here with other content is refused), every version
of every measurement, and the files (content checked against the package's
size and SHA-256). Anything already there with other content refuses the
whole import with nothing stored; running it again adds nothing twice.
The import is logged in the person's access log. Exit status: 0 done, 1
refused or an error (one line), 2 usage.
`

// importRequest is what "import" was asked to do.
type importRequest struct {
	file, region string
}

// runImportCommand runs "omahoito import ..." (args after "import") and
// returns the exit code.
func runImportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importUsage) }
	var req importRequest
	fs.StringVar(&req.region, "region", "", "the region whose register receives the person")
	data := fs.String("data", "", "data directory for SQLite, files and development keys (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	// The package may come before the flags or after them.
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		req.file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if req.file == "" && fs.NArg() == 1 {
		req.file = fs.Arg(0)
	} else if fs.NArg() != 0 {
		req.file = ""
	}
	if req.file == "" || req.region == "" {
		fmt.Fprint(stderr, importUsage)
		return 2
	}
	return runConfigured("import", *configPath, *data, stderr, func(cfg Config) error {
		return importPackage(ctx, cfg, req, stdout)
	})
}

// importer copies one opened package into one region's register.
type importer struct {
	src    exportSources // the same store, index, bucket and key an export uses
	region string
	pkg    *exchange.Package
	data   importData
	sum    importSummary
}

// importPackage checks the package, then the person and every record
// against what is stored, and only then copies.
func importPackage(ctx context.Context, cfg Config, req importRequest, stdout io.Writer) error {
	a := &app{}
	defer a.Close()
	src, err := openExportSources(ctx, a, cfg)
	if err != nil {
		return err
	}
	if _, err := src.store.Region(ctx, req.region); err != nil {
		return fmt.Errorf("--region %s: %w", req.region, err)
	}
	trusted, err := trustedKeys(ctx, cfg, src)
	if err != nil {
		return err
	}
	pkg, closeFile, err := openPackage(req.file, trusted)
	if err != nil {
		return err
	}
	defer closeFile()
	x := &importer{src: src, region: req.region, pkg: pkg}
	if x.data, err = readPackage(pkg); err != nil {
		return err
	}
	if err := x.run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, x.sum.line(pkg.Manifest(), req.region))
	return nil
}

// trustedKeys are the keys of trusted_regions and this deployment's own
// regions' key, each for exactly its deployment and region. A key trusted
// for several regions (omahoito signs every region's packages with one
// key) goes into as many sets: exchange trusts a key for one source.
func trustedKeys(ctx context.Context, cfg Config, src exportSources) ([]exchange.TrustedKeys, error) {
	var sets []exchange.TrustedKeys
	add := func(s exchange.Source, pub ed25519.PublicKey) {
		for _, set := range sets {
			if _, taken := set[exchange.KeyID(pub)]; !taken {
				set.Add(s, pub)
				return
			}
		}
		set := exchange.TrustedKeys{}
		set.Add(s, pub)
		sets = append(sets, set)
	}
	own, err := src.store.Regions(ctx)
	if err != nil {
		return nil, err
	}
	pub, _ := src.key.Public().(ed25519.PublicKey)
	for _, r := range own {
		add(exchange.Source{Deployment: src.source.Deployment, Region: r.ID}, pub)
	}
	for i, tr := range cfg.TrustedRegions {
		pubs, err := audit.ReadPublicKeys(tr.PublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted_regions #%d (%s/%s): %v", errConfig, i+1, tr.Deployment, tr.Region, err)
		}
		for _, p := range pubs {
			add(exchange.Source{Deployment: tr.Deployment, Region: tr.Region}, p)
		}
	}
	return sets, nil
}

// openPackage opens and verifies the whole package against each set of
// trusted keys until one trusts it: nothing is read from it before every
// digest and the signature hold. A package that is changed or not well
// formed is refused at once.
func openPackage(path string, trusted []exchange.TrustedKeys) (*exchange.Package, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = exchange.ErrUntrusted
		for _, set := range trusted {
			var pkg *exchange.Package
			pkg, err = exchange.Open(f, fi.Size(), set, exchange.Limits{})
			if err == nil {
				return pkg, func() { f.Close() }, nil
			}
			if !errors.Is(err, exchange.ErrUntrusted) {
				break
			}
		}
	}
	f.Close()
	return nil, nil, fmt.Errorf("package %s refused, nothing stored: %w", path, err)
}

// run checks everything against the register, then copies: the person,
// the measurements, the files, and logs the import.
func (x *importer) run(ctx context.Context) error {
	newPerson, err := x.checkPerson(ctx)
	if err != nil {
		return err
	}
	if err := x.checkMeasurements(ctx, newPerson); err != nil {
		return err
	}
	if err := x.checkFiles(ctx, newPerson); err != nil {
		return err
	}
	if err := x.checkGrants(ctx); err != nil {
		return err
	}
	if newPerson {
		if err := x.createPerson(ctx); err != nil {
			return err
		}
	}
	if x.sum.measurements, err = x.src.store.(record.CopyStore).CopyMeasurements(ctx, x.data.measurements); err != nil {
		return refused(err)
	}
	if err := x.copyFiles(ctx); err != nil {
		return refused(err)
	}
	if err := x.copyGrants(ctx); err != nil {
		return refused(err)
	}
	if err := x.copyAccessLog(ctx); err != nil {
		return err
	}
	return x.logImport(ctx)
}

// refused says that a copy refused for other content stored nothing.
func refused(err error) error {
	if errors.Is(err, record.ErrOtherContent) {
		return fmt.Errorf("refused, nothing stored: %w", err)
	}
	return err
}

// checkPerson finds the package's person in the person index: the same
// id with the same code goes on; an id or a code already there with the
// other is refused. It reports whether the person is new here.
func (x *importer) checkPerson(ctx context.Context) (bool, error) {
	p := x.data.person
	byCode, err := x.src.people.FindByHetu(ctx, p.Hetu)
	switch {
	case err == nil && byCode.ID != p.ID:
		return false, fmt.Errorf("refused, nothing stored: the person's identity code is here under another person id than %s", p.ID)
	case err == nil:
		x.sum.person = "already there"
		return false, nil
	case !errors.Is(err, auth.ErrNotFound):
		return false, err
	}
	_, err = x.src.store.PersonByID(ctx, p.ID)
	switch {
	case err == nil:
		return false, fmt.Errorf("refused, nothing stored: person %s exists here with another identity code", p.ID)
	case !errors.Is(err, auth.ErrNotFound):
		return false, err
	}
	x.sum.person = "added"
	return true, nil
}

// createPerson puts the person in the index with REGION as home region.
func (x *importer) createPerson(ctx context.Context) error {
	p, keys := x.data.person, x.src.people.Keys
	return x.src.store.CreatePerson(ctx, auth.SealedPerson{
		ID: p.ID, HetuKey: keys.LookupKey(p.Hetu), HetuSealed: keys.Seal(p.Hetu),
		GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.Hetu.BirthDate(),
		HomeRegion: x.region, CreatedAt: time.Now(),
	})
}

// checkMeasurements refuses, before anything is stored, a measurement id
// that is another person's here or a version stored with other content.
// The copy checks the same again in its transaction.
func (x *importer) checkMeasurements(ctx context.Context, newPerson bool) error {
	stored := map[string]map[int]record.Measurement{}
	for _, m := range x.data.measurements {
		versions, ok := stored[m.ID]
		if !ok {
			versions = map[int]record.Measurement{}
			owner, err := x.src.store.MeasurementOwner(ctx, m.ID)
			if err != nil && !errors.Is(err, record.ErrNotFound) {
				return err
			}
			if err == nil && (newPerson || owner != m.PersonID) {
				return fmt.Errorf("refused, nothing stored: measurement %s: %w", m.ID, record.ErrOtherContent)
			}
			if err == nil {
				h, err := x.src.store.MeasurementHistory(ctx, m.PersonID, m.ID)
				if err != nil {
					return err
				}
				for _, v := range h {
					versions[v.Version] = v
				}
			}
			stored[m.ID] = versions
		}
		if v, ok := versions[m.Version]; ok && !record.SameVersion(v, m) {
			return fmt.Errorf("refused, nothing stored: measurement %s version %d: %w", m.ID, m.Version, record.ErrOtherContent)
		}
	}
	return nil
}

// checkFiles refuses, before anything is stored, a file id that is
// another person's here or stored with other content.
func (x *importer) checkFiles(ctx context.Context, newPerson bool) error {
	for _, f := range x.data.files {
		owner, err := x.src.store.FileOwner(ctx, f.ID)
		if errors.Is(err, record.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if newPerson || owner != f.PersonID {
			return fmt.Errorf("refused, nothing stored: file %s: %w", f.ID, record.ErrOtherContent)
		}
		have, err := x.src.store.File(ctx, f.PersonID, f.ID)
		if err != nil {
			return err
		}
		if !record.SameFile(have, f) {
			return fmt.Errorf("refused, nothing stored: file %s: %w", f.ID, record.ErrOtherContent)
		}
	}
	return nil
}
