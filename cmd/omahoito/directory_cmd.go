package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/omahoito/omahoito/auth"
)

const directoryUsage = `usage: omahoito directory import FILE [--data DIR] [--config FILE]

import brings the directory of regions, care units and professionals to
what FILE says, in one transaction: omahoito's own JSON, or a FHIR R4
Bundle (collection, batch or transaction) of Organization, Practitioner
and PractitionerRole; docs/operations.md, "Directory", describes both.
Items are matched by id: new ones are added, changed ones updated.
Professionals of a region FILE names who are missing from it are
deactivated: they can no longer log in, and their id stays. Regions
and care units are never removed. Running it again with the same file
changes nothing. An invalid file changes nothing either.
Exit status: 0 done, 1 an error, 2 usage.
`

// runDirectoryCommand runs "omahoito directory ..." (args after
// "directory") and returns the exit code.
func runDirectoryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, directoryUsage)
		return 2
	}
	fs := flag.NewFlagSet("directory import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, directoryUsage) }
	data := fs.String("data", "", "data directory for SQLite (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	// FILE may come before or after the flags.
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	file := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return 2
		}
	}
	if file == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, directoryUsage)
		return 2
	}
	return runConfigured("directory import", *configPath, *data, stderr, func(cfg Config) error {
		return directoryImport(ctx, cfg, file, stdout)
	})
}

// directoryImport reads and checks the whole file before it opens the
// database, then imports it in one transaction and prints what changed.
func directoryImport(ctx context.Context, cfg Config, file string, stdout io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	d, format, err := readDirectoryFile(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	a := &app{}
	defer a.Close()
	store, err := a.openStorage(ctx, cfg)
	if err != nil {
		return err
	}
	importer, ok := store.(auth.DirectoryImporter)
	if !ok {
		return errors.New("this database cannot import a directory")
	}
	report, err := importer.ImportDirectory(ctx, d)
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was changed", file, err)
	}
	printDirectoryReport(stdout, file, format, report)
	return nil
}

func printDirectoryReport(w io.Writer, file, format string, r auth.DirectoryReport) {
	fmt.Fprintf(w, "directory imported from %s (%s)\n", file, format)
	fmt.Fprintf(w, "  regions:       %d added, %d updated, %d unchanged, %d not in the file (kept)\n",
		r.Regions.Added, r.Regions.Updated, r.Regions.Unchanged, r.Regions.Kept)
	fmt.Fprintf(w, "  care units:    %d added, %d updated, %d unchanged, %d not in the file (kept)\n",
		r.CareUnits.Added, r.CareUnits.Updated, r.CareUnits.Unchanged, r.CareUnits.Kept)
	fmt.Fprintf(w, "  professionals: %d added, %d updated, %d unchanged, %d deactivated\n",
		r.Professionals.Added, r.Professionals.Updated, r.Professionals.Unchanged, r.Professionals.Deactivated)
	if !r.Changed() {
		fmt.Fprintln(w, "nothing changed")
	}
}
