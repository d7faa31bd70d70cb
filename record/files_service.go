package record

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// ActionDownload is reading a file's content; the access log tells it
// apart from reading its entry.
const ActionDownload Action = "download"

// StoredContent is content written to a temporary key: what the record
// keeps of it once it is promoted.
type StoredContent struct {
	TempKey     string
	FinalKey    string // where Promote moves it; the record names this key
	Size        int64
	SHA256      []byte
	DataKey     []byte // wrapped by the master key MasterKeyID
	MasterKeyID string
}

// Content is where file content lives, encrypted (store/blob).
type Content interface {
	// Put streams r, encrypted, to a temporary key; more than maxSize
	// bytes is refused (an error wrapping ErrFileTooLarge) and nothing
	// is left behind.
	Put(ctx context.Context, r io.Reader, maxSize int64) (StoredContent, error)
	// Promote moves temporary content to its final key. A promotion cut
	// short is finished by the sweeper, which sees the record name it.
	Promote(ctx context.Context, tempKey string) (finalKey string, err error)
	// Get streams a file's content, decrypted and checked against size
	// and digest: a changed or cut object fails, never returns wrong bytes.
	Get(ctx context.Context, key string, dataKey []byte, masterKeyID string, size int64, sha256 []byte) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Files is the one way into a person's own files: every method asks the
// gate once, and a read by anyone but the owner is logged before
// anything leaves.
type Files struct {
	Store   FileStore
	Content Content
	Access  Access // nil: OwnerOnly
	Limits  Limits // zero: DefaultLimits
	Now     func() time.Time
}

func (f *Files) gate() *Service { return &Service{Access: f.Access, Now: f.Now} }

func (f *Files) limits() Limits {
	if f.Limits == (Limits{}) {
		return DefaultLimits()
	}
	return f.Limits
}

// Upload is a file a citizen adds.
type Upload struct {
	Name, Title, Description string
	Body                     io.Reader
}

// Add stores a new file of personID's. The type is sniffed from the
// content; the size and the person's quota are checked on the bytes
// received. In the order of DESIGN §11: the content is written, encrypted
// and flushed under a temporary key; the record is committed naming its
// final key; the content is moved there. Content whose record never came
// is swept after a grace time; a move cut short is finished by the sweeper,
// which sees the record name the final key.
func (f *Files) Add(ctx context.Context, who auth.Principal, personID string, up Upload) (File, error) {
	g := f.gate()
	req := Request{Who: who, PersonID: personID, Action: ActionWrite, Class: ClassFiles, Count: 1}
	d, err := g.decide(ctx, req)
	if err != nil {
		return File{}, err
	}
	title, err := CleanTitle(up.Title)
	if err != nil {
		return File{}, err
	}
	description, err := CleanDescription(up.Description)
	if err != nil {
		return File{}, err
	}
	body := bufio.NewReaderSize(up.Body, SniffLen)
	head, err := body.Peek(SniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return File{}, fmt.Errorf("read the file: %w", err)
	}
	kind, err := Sniff(head)
	if err != nil {
		return File{}, err
	}
	used, err := f.Store.FilesSize(ctx, personID)
	if err != nil {
		return File{}, err
	}
	lim := f.limits()
	stored, err := f.Content.Put(ctx, body, min(lim.MaxFileSize, max(lim.MaxPersonSize-used, 0)))
	if err != nil {
		return File{}, f.putError(err, used, lim)
	}
	if err := lim.Check(stored.Size, used); err != nil {
		_ = f.Content.Delete(ctx, stored.TempKey)
		return File{}, err
	}
	if err := g.done(ctx, req, d); err != nil {
		_ = f.Content.Delete(ctx, stored.TempKey)
		return File{}, err
	}
	now := g.now()
	file := File{
		ID: auth.NewID(), PersonID: personID, Version: 1, Name: fileName(up.Name, kind), Title: title,
		Description: description, Type: kind, Size: stored.Size, SHA256: stored.SHA256, ContentKey: stored.FinalKey,
		DataKey: stored.DataKey, MasterKeyID: stored.MasterKeyID, CreatedAt: now, UpdatedAt: now, EnteredBy: ActorOf(who),
	}
	// The quota again, with the insert: another upload of the person's may
	// have been stored since the sum above.
	if err := f.Store.CreateFile(ctx, file, lim.MaxPersonSize); err != nil {
		_ = f.Content.Delete(ctx, stored.TempKey) // no record names it: gone now, or swept later
		return File{}, err
	}
	// The record is stored and the content durable under its temporary
	// key, where reads find it until the move is done: a move cut short
	// is finished by the sweeper, and the upload has succeeded either way
	// (an error here would have the client upload it twice).
	_, _ = f.Content.Promote(ctx, stored.TempKey)
	return file, nil
}

// fileName is the display name of an upload: the name it came with,
// cleaned, or for content that came without one (a bare Binary) "file"
// with the extension of its sniffed type, so that a download opens.
func fileName(name string, kind MediaType) string {
	if strings.TrimSpace(name) == "" {
		return "file" + kind.Extension()
	}
	return CleanFileName(name)
}

// putError is what a refused Put tells: over the file size, or over what
// is left of the person's quota.
func (f *Files) putError(err error, used int64, lim Limits) error {
	if !errors.Is(err, ErrFileTooLarge) {
		return err
	}
	// The upload was stopped at the limit: how large it is is not known.
	if lim.MaxPersonSize-used < lim.MaxFileSize {
		return &QuotaError{Used: used, Limit: lim.MaxPersonSize}
	}
	return &FileSizeError{Limit: lim.MaxFileSize}
}

// List returns the person's files the caller may see, newest first.
func (f *Files) List(ctx context.Context, who auth.Principal, personID string) ([]File, error) {
	g := f.gate()
	req := Request{Who: who, PersonID: personID, Action: ActionSearch, Class: ClassFiles}
	d, err := g.decide(ctx, req)
	if err != nil {
		return nil, err
	}
	files, err := f.Store.Files(ctx, personID, nil)
	if err != nil {
		return nil, err
	}
	files = slices.DeleteFunc(files, func(x File) bool { return !coversFile(d.Scope, x) })
	req.Count = len(files)
	if err := g.done(ctx, req, d); err != nil {
		return nil, err
	}
	return files, nil
}

// coversFile: a consent names files by id in an allowance's kinds (all
// files when it names none), and its data window holds the file's time.
func coversFile(s Scope, x File) bool { return s.Covers(Kind(x.ID), x.CreatedAt) }

// Get returns a file's entry, when the caller may see it.
func (f *Files) Get(ctx context.Context, who auth.Principal, personID, id string) (File, error) {
	file, _, err := f.read(ctx, who, personID, id, ActionRead)
	return file, err
}

// Open returns a file's entry and its content, decrypted and checked as it
// streams. The access is logged before the first byte leaves.
func (f *Files) Open(ctx context.Context, who auth.Principal, personID, id string) (File, io.ReadCloser, error) {
	file, ok, err := f.read(ctx, who, personID, id, ActionDownload)
	if err != nil || !ok {
		return File{}, nil, err
	}
	rc, err := f.Content.Get(ctx, file.ContentKey, file.DataKey, file.MasterKeyID, file.Size, file.SHA256)
	if err != nil {
		return File{}, nil, err
	}
	return file, rc, nil
}

// Version returns one version of a file's entry (its title and
// description as they were), when the caller may see the file. A version
// the file never had is ErrNotFound; the version that deleted it, ErrGone.
func (f *Files) Version(ctx context.Context, who auth.Principal, personID, id string, version int) (File, error) {
	g := f.gate()
	personID, err := f.owner(ctx, personID, id)
	if err != nil {
		return File{}, err
	}
	req := Request{Who: who, PersonID: personID, Action: ActionHistory, Class: ClassFiles, ID: id}
	d, err := g.decide(ctx, req)
	if err != nil {
		return File{}, err
	}
	history, err := f.Store.FileHistory(ctx, personID, id)
	if err != nil {
		return File{}, err
	}
	i := slices.IndexFunc(history, func(x File) bool { return x.Version == version })
	if i < 0 {
		return File{}, fmt.Errorf("file %s version %d: %w", id, version, ErrNotFound)
	}
	file := history[i]
	req.DataTime, req.Count = file.CreatedAt, 1
	if !coversFile(d.Scope, file) {
		return File{}, g.outOfScope(ctx, req, d)
	}
	if err := g.done(ctx, req, d); err != nil {
		return File{}, err
	}
	if file.Deleted {
		return file, fmt.Errorf("file %s version %d: %w", id, version, ErrGone)
	}
	return file, nil
}

// owner is personID, or when a caller reads by id alone (a professional's
// GET DocumentReference/{id}), whose file id is: no data is read.
func (f *Files) owner(ctx context.Context, personID, id string) (string, error) {
	if personID != "" {
		return personID, nil
	}
	return f.Store.FileOwner(ctx, id)
}

// read decides, loads and logs one file.
func (f *Files) read(ctx context.Context, who auth.Principal, personID, id string, action Action) (File, bool, error) {
	g := f.gate()
	personID, err := f.owner(ctx, personID, id)
	if err != nil {
		return File{}, false, err
	}
	req := Request{Who: who, PersonID: personID, Action: action, Class: ClassFiles, ID: id}
	d, err := g.decide(ctx, req)
	if err != nil {
		return File{}, false, err
	}
	file, err := f.Store.File(ctx, personID, id)
	if err != nil {
		return File{}, false, err
	}
	req.DataTime, req.Count = file.CreatedAt, 1
	if !coversFile(d.Scope, file) {
		return File{}, false, g.outOfScope(ctx, req, d)
	}
	if err := g.done(ctx, req, d); err != nil {
		return File{}, false, err
	}
	if file.Deleted {
		return file, false, fmt.Errorf("file %s: %w", id, ErrGone)
	}
	return file, true, nil
}

// Describe changes a file's title and description; the earlier version is
// kept. version is the version the citizen saw (ErrConflict otherwise).
func (f *Files) Describe(ctx context.Context, who auth.Principal, personID, id string, version int, title, description string) (File, error) {
	return f.change(ctx, who, personID, id, version, func(x *File) error {
		var err error
		if x.Title, err = CleanTitle(title); err != nil {
			return err
		}
		x.Description, err = CleanDescription(description)
		return err
	})
}

// Delete deletes a file: its record and versions stay in the history,
// its content is removed (no one can read a deleted file, and it no longer
// counts against the quota).
func (f *Files) Delete(ctx context.Context, who auth.Principal, personID, id string, version int) (File, error) {
	gone, err := f.change(ctx, who, personID, id, version, func(x *File) error {
		x.Deleted = true
		return nil
	})
	if err == nil {
		// The record stays (its history, the access log's references); the
		// content goes now, or with the sweeper if the bucket fails here.
		_ = f.Content.Delete(ctx, gone.ContentKey)
	}
	return gone, err
}

func (f *Files) change(ctx context.Context, who auth.Principal, personID, id string, version int, edit func(*File) error) (File, error) {
	g := f.gate()
	req := Request{Who: who, PersonID: personID, Action: ActionWrite, Class: ClassFiles, ID: id, Count: 1}
	d, err := g.decide(ctx, req)
	if err != nil {
		return File{}, err
	}
	cur, err := f.Store.File(ctx, personID, id)
	if err != nil {
		return File{}, err
	}
	if cur.Deleted {
		return cur, fmt.Errorf("file %s: %w", id, ErrGone)
	}
	if version != 0 && version != cur.Version {
		return cur, fmt.Errorf("%w: the file is at version %d", ErrConflict, cur.Version)
	}
	next := cur
	if err := edit(&next); err != nil {
		return File{}, err
	}
	next.Version, next.UpdatedAt, next.EnteredBy = cur.Version+1, g.now(), ActorOf(who)
	if err := g.done(ctx, req, d); err != nil {
		return File{}, err
	}
	if err := f.Store.UpdateFile(ctx, next); err != nil {
		return File{}, err
	}
	return next, nil
}
