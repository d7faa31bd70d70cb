package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
)

// importSummary is what an import did, per type: added or already there.
// It names no one: counts and ids only.
type importSummary struct {
	person       string // "added" or "already there"
	measurements record.CopyCount
	files        record.CopyCount
	grants       record.CopyCount
	entries      record.CopyCount // access-log entries
}

// line is the summary printed at the end.
func (s importSummary) line(m exchange.Manifest, region string) string {
	return fmt.Sprintf("imported package %s from %s/%s into %s: Patient %s; Observation %d added, %d already there; "+
		"DocumentReference %d added, %d already there; Consent (ended, moved) %d added, %d already there; "+
		"AuditEvent (imported) %d added, %d already there",
		m.ID, m.Source.Deployment, m.Source.Region, region, s.person,
		s.measurements.Added, s.measurements.Present, s.files.Added, s.files.Present,
		s.grants.Added, s.grants.Present, s.entries.Added, s.entries.Present)
}

// copyFiles puts the content of each file not yet here into the bucket as
// an upload does (a new data key wrapped by the current master key, under
// a temporary key), checks it against the package's size and SHA-256,
// copies the metadata in one transaction and then promotes the content
// of the files the copy added. Content of a refused copy is deleted.
func (x *importer) copyFiles(ctx context.Context) error {
	var fresh []record.File
	temps := map[string]string{} // file id: its content's temporary key, until promoted
	defer func() {
		for _, key := range temps {
			_ = x.src.content.Delete(context.WithoutCancel(ctx), key)
		}
	}()
	for _, f := range x.data.files {
		if _, err := x.src.store.File(ctx, f.PersonID, f.ID); err == nil {
			x.sum.files.Present++ // checkFiles found it the same
			continue
		}
		w, err := x.putContent(ctx, f)
		if err != nil {
			return fmt.Errorf("file %s: %w", f.ID, err)
		}
		temps[f.ID] = w.TempKey
		f.ContentKey, f.DataKey, f.MasterKeyID = w.FinalKey, w.DataKey, w.MasterKeyID
		fresh = append(fresh, f)
	}
	if len(fresh) == 0 {
		return nil
	}
	added, err := x.src.store.(record.CopyStore).CopyFiles(ctx, fresh)
	if err != nil {
		return err
	}
	x.sum.files.Added = len(added)
	x.sum.files.Present += len(fresh) - len(added)
	for _, id := range added {
		if _, err := x.src.content.Promote(ctx, temps[id]); err != nil {
			return fmt.Errorf("file %s: %w", id, err)
		}
		delete(temps, id)
	}
	return nil
}

// putContent streams the file's content from the package into the bucket
// and checks it is what the package's DocumentReference says.
func (x *importer) putContent(ctx context.Context, f record.File) (blob.Written, error) {
	rc, err := x.pkg.Open(exchange.FileName(f.ID))
	if err != nil {
		return blob.Written{}, err
	}
	defer rc.Close()
	w, err := x.src.content.Put(ctx, rc, f.Size)
	if err != nil {
		return blob.Written{}, err
	}
	if w.Size != f.Size || !bytes.Equal(w.SHA256, f.SHA256) {
		_ = x.src.content.Delete(context.WithoutCancel(ctx), w.TempKey)
		return blob.Written{}, fmt.Errorf("%w: the content is not the size and SHA-256 its DocumentReference gives", errPackageContent)
	}
	return w, nil
}

// logImport appends the import to the person's register in REGION and
// waits for the log's final checkpoint.
func (x *importer) logImport(ctx context.Context) error {
	m := x.pkg.Manifest()
	l := audit.NewLog(x.src.store, x.src.key, audit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e := audit.Entry{
		Register: x.region, Time: time.Now(), RequestID: m.ID,
		Actor:     audit.Actor{Kind: string(auth.KindOperator), Name: strings.Join([]string{m.Source.Deployment, m.Source.Region}, "/"), Client: "omahoito import"},
		PatientID: x.data.person.ID, Action: "import", Class: string(record.ClassEverything),
		Count: x.sum.measurements.Added + x.sum.files.Added, Outcome: audit.Permit,
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

// checkGrants refuses, before anything is stored, a grant id here with
// other content (consent.SameGrant, which the copy checks again).
func (x *importer) checkGrants(ctx context.Context) error {
	for _, g := range x.data.grants {
		have, err := x.src.store.Grant(ctx, g.ID)
		if errors.Is(err, consent.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !consent.SameGrant(have, g) {
			return fmt.Errorf("refused, nothing stored: consent %s: %w", g.ID, record.ErrOtherContent)
		}
	}
	return nil
}

// copyGrants copies the person's grants, ended with reason moved, into
// REGION's register in one transaction.
func (x *importer) copyGrants(ctx context.Context) error {
	gs := make([]consent.Grant, len(x.data.grants))
	for i, g := range x.data.grants {
		g.Region = x.region
		gs[i] = g
	}
	var err error
	x.sum.grants, err = x.src.store.(consent.CopyStore).CopyGrants(ctx, gs)
	return err
}
