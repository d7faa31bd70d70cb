package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// proTextPreview is how much of a text file its page shows; the rest is
// for downloading.
const proTextPreview = 64 << 10

// proFileRow is one file in the patient view's list.
type proFileRow struct {
	Title, Type, Size, Href, DownloadHref string
	Added                                 timeView
}

// proFilesSection is the patient view's files: whether any consent covers
// files at all, and those the consents let the professional see.
type proFilesSection struct {
	Covered bool
	Rows    []proFileRow
}

// proCoversFiles reports whether any of the grants covers files, all or
// chosen ones. Only then is the list asked for: a page whose consents
// cover measurements only asks the gate nothing more.
func proCoversFiles(grants []consent.Grant) bool {
	for _, g := range grants {
		for _, cs := range g.Scope.Classes {
			if cs.Class == record.ClassFiles {
				return true
			}
		}
	}
	return false
}

// proFiles lists the patient's files the consents cover. The files service
// decides which and logs the listing; a consent revoked since the page's
// first read refuses the whole page rather than showing half of it.
func (s *Pages) proFiles(ctx context.Context, who auth.Principal, personID string, grants []consent.Grant, t translator) (proFilesSection, error) {
	if !proCoversFiles(grants) {
		return proFilesSection{}, nil
	}
	files, err := s.Files.List(ctx, who, personID)
	if err != nil {
		return proFilesSection{}, err
	}
	sec := proFilesSection{Covered: true}
	for _, f := range files {
		sec.Rows = append(sec.Rows, proFileRow{Title: consentFileLabel(f), Type: consentFileType(f.Type, t), Size: proFileSize(f.Size, t),
			Href: proFileHref(personID, f.ID), DownloadHref: proFileHref(personID, f.ID) + "/download", Added: t.moment(f.CreatedAt)})
	}
	return sec, nil
}

func proFileHref(personID, fileID string) string {
	return proPatientHref(personID) + "/files/" + url.PathEscape(fileID)
}

// proFileSize is a file's size as people read it: 850 t, 12,4 kt, 3,1 Mt.
func proFileSize(n int64, t translator) string {
	const k = 1024
	switch {
	case n < k:
		return t.T(msgProSizeB, map[string]string{"N": fmt.Sprint(n)})
	case n < k*k:
		return t.T(msgProSizeKB, map[string]string{"N": t.lang.FormatNumber(float64(n)/k, 1)})
	}
	return t.T(msgProSizeMB, map[string]string{"N": t.lang.FormatNumber(float64(n)/(k*k), 1)})
}

// How a file's page shows its content.
const (
	proPreviewImage = "image"
	proPreviewPDF   = "pdf"
	proPreviewText  = "text"
	proPreviewNone  = "" // HEIC: browsers do not show it; download only
)

func proPreviewOf(mt record.MediaType) string {
	switch mt {
	case record.MediaJPEG, record.MediaPNG:
		return proPreviewImage
	case record.MediaPDF:
		return proPreviewPDF
	case record.MediaText:
		return proPreviewText
	}
	return proPreviewNone
}

type proFilePage struct {
	layout
	BackHref     string
	Type, Size   string
	Name         string
	Description  string
	Added        timeView
	Preview      string // proPreview*
	PreviewHref  string
	DownloadHref string
	Text         string // a text file's beginning
	TextCut      bool   // the text is longer than shown
}

// proFile shows one file of a patient: what it is and a preview. The entry
// is read through the files service, which decides and logs; a text file's
// beginning is read (and logged) as a download, since its content leaves.
func (s *Pages) proFile(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	personID, fileID := c.Param("id"), c.Param("fid")
	f, err := s.Files.Get(ctx, who, personID, fileID)
	if err != nil {
		return err
	}
	page := proFilePage{layout: s.layout(c, msgProPatientTitle), BackHref: proPatientHref(personID)}
	page.Title = consentFileLabel(f)
	page.Name, page.Description = f.Name, f.Description
	page.Type, page.Size, page.Added = consentFileType(f.Type, page.translator), proFileSize(f.Size, page.translator), page.moment(f.CreatedAt)
	page.Preview, page.PreviewHref = proPreviewOf(f.Type), proFileHref(personID, f.ID)+"/preview"
	page.DownloadHref = proFileHref(personID, f.ID) + "/download"
	if page.Preview == proPreviewText {
		if page.Text, page.TextCut, err = s.proTextOf(ctx, who, personID, fileID); err != nil {
			return err
		}
	}
	s.render(c, http.StatusOK, "pro_file", page)
	return nil
}

// proTextOf reads the beginning of a text file, cut at a whole character.
func (s *Pages) proTextOf(ctx context.Context, who auth.Principal, personID, fileID string) (string, bool, error) {
	_, rc, err := s.Files.Open(ctx, who, personID, fileID)
	if err != nil {
		return "", false, err
	}
	defer rc.Close()
	buf, err := io.ReadAll(io.LimitReader(rc, proTextPreview+1))
	if err != nil {
		return "", false, fmt.Errorf("read file %s: %w", fileID, err)
	}
	cut := len(buf) > proTextPreview
	if cut {
		buf = wholeRunes(buf[:proTextPreview])
	}
	return strings.ToValidUTF8(string(buf), "\uFFFD"), cut, nil
}

// wholeRunes drops a character cut in two at the end of b.
func wholeRunes(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// proFileDownload sends a file's content as an attachment, after the files
// service has decided and logged the download.
func (s *Pages) proFileDownload(c *gin.Context, who auth.Principal) error {
	return s.proSend(c, who, portal.Attachment)
}

// proFilePreview sends an image's or a PDF's content to be shown on the
// file's page, sandboxed (portal.SendFile). Other types are not shown in
// a browser: they are downloaded.
func (s *Pages) proFilePreview(c *gin.Context, who auth.Principal) error {
	return s.proSend(c, who, portal.Inline)
}

func (s *Pages) proSend(c *gin.Context, who auth.Principal, how portal.Disposition) error {
	f, rc, err := s.Files.Open(c.Request.Context(), who, c.Param("id"), c.Param("fid"))
	if err != nil {
		return err
	}
	defer rc.Close()
	if p := proPreviewOf(f.Type); how == portal.Inline && p != proPreviewImage && p != proPreviewPDF {
		return fmt.Errorf("no preview of a %s file: %w", f.Type, record.ErrNotFound)
	}
	portal.SendFile(c, s.Log, f, rc, how)
	return nil
}
