package web

import (
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// fileTemplates are the own-file pages' templates, parsed with the layout at start.
var fileTemplates = []string{"files", "file", "file_form", "file_delete"}

// uploadPath is the one page route that takes a multipart body
// (formBodies lets it through; addFile streams it).
const uploadPath = "/files/new"

// textPreviewBytes is how much of a text file its page shows.
const textPreviewBytes = 64 << 10

// filePages registers the citizen's own-file pages. Every read and write
// goes through record.Files (the one gate) with the logged-in citizen as
// both the actor and the owner.
func (s *Pages) filePages(r *gin.Engine) {
	g := r.Group("/files")
	g.GET("", s.filePage(s.fileList))
	g.GET("/new", s.filePage(s.newFile))
	g.POST("/new", s.filePage(s.addFile))
	g.GET("/:id", s.filePage(s.fileView))
	g.GET("/:id/preview", s.filePage(s.filePreview))
	g.GET("/:id/download", s.filePage(s.fileDownload))
	g.GET("/:id/edit", s.filePage(s.editFile))
	g.POST("/:id/edit", s.filePage(s.describeFile))
	g.GET("/:id/delete", s.filePage(s.confirmFileDelete))
	g.POST("/:id/delete", s.filePage(s.deleteFile))
}

// filePage is citizenPage for the own-file pages: the same session rule,
// with record's errors told in the files' own words.
func (s *Pages) filePage(h func(*gin.Context, auth.Principal) error) gin.HandlerFunc {
	return s.ownPage(fileError, h)
}

// fileError gives a deleted file and a stale version the files' own
// texts; the status stays the shell's table's (portal.Classify).
func fileError(err error) error {
	var ue *portal.UserError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	for target, msg := range map[error]msgID{record.ErrGone: msgFilesErrorGone, record.ErrConflict: msgFilesErrorConflict} {
		if errors.Is(err, target) {
			status, _, _ := portal.Classify(err)
			return &portal.UserError{Status: status, MsgID: string(msg), Err: err}
		}
	}
	return err
}

func init() {
	classified[string(msgFilesErrorGone)] = msgFilesErrorGone
	classified[string(msgFilesErrorConflict)] = msgFilesErrorConflict
}

// fileLimits are the limits the files service applies.
func (s *Pages) fileLimits() record.Limits {
	if s.Files.Limits == (record.Limits{}) {
		return record.DefaultLimits()
	}
	return s.Files.Limits
}

func fileHref(id, action string) string {
	if action == "" {
		return "/files/" + id
	}
	return "/files/" + id + "/" + action
}

// fileTypeNames say a file's type in words.
var fileTypeNames = map[record.MediaType]msgID{
	record.MediaPDF:  msgFilesTypePdf,
	record.MediaJPEG: msgFilesTypeJpeg,
	record.MediaPNG:  msgFilesTypePng,
	record.MediaHEIC: msgFilesTypeHeic,
	record.MediaText: msgFilesTypeText,
}

func (t translator) fileType(m record.MediaType) string {
	if id, ok := fileTypeNames[m]; ok {
		return t.T(id)
	}
	return string(m)
}

// size writes n bytes as people read sizes, in the page language, in the
// units record's messages use (1 kB = 1024 bytes): "12 bytes", "3,5 kt",
// "12.3 MB", "500 MB".
func (t translator) size(n int64) string {
	const kb, mb = 1 << 10, 1 << 20
	switch {
	case n < kb:
		return t.Count(msgFilesSizeBytes, int(n))
	case n < mb:
		return t.T(msgFilesSizeKb, map[string]string{"N": t.lang.FormatNumber(float64(n)/kb, sizeDecimals(n, kb))})
	}
	return t.T(msgFilesSizeMb, map[string]string{"N": t.lang.FormatNumber(float64(n)/mb, sizeDecimals(n, mb))})
}

// sizeDecimals: a whole number of units is written without a decimal ("20
// MB", the limit), any other with one.
func sizeDecimals(n, unit int64) int {
	if n%unit == 0 {
		return 0
	}
	return 1
}

// fileTitle is what a file is called on the pages: its title, or its
// name when it has none.
func fileTitle(f record.File) string {
	if f.Title != "" {
		return f.Title
	}
	return f.Name
}

type fileRow struct {
	Title, Name, Href, Type, Size string
	Added                         timeView
}

// fileNotice confirms what was just done.
type fileNotice struct{ Text string }

type fileListPage struct {
	layout
	Rows   []fileRow
	Usage  string
	Used   int64
	Limit  int64
	Notice *fileNotice
}

// fileList lists the citizen's files and how much of their space is used.
func (s *Pages) fileList(c *gin.Context, who auth.Principal) error {
	files, err := s.Files.List(c.Request.Context(), who, who.PersonID)
	if err != nil {
		return err
	}
	page := fileListPage{layout: s.layout(c, msgFilesListTitle), Limit: s.fileLimits().MaxPersonSize}
	for _, f := range files {
		page.Used += f.Size
		page.Rows = append(page.Rows, fileRow{Title: fileTitle(f), Name: f.Name, Href: fileHref(f.ID, ""),
			Type: page.fileType(f.Type), Size: page.size(f.Size), Added: page.moment(f.CreatedAt)})
	}
	page.Usage = page.T(msgFilesListUsage, map[string]string{"Used": page.size(page.Used), "Limit": page.size(page.Limit)})
	if c.Query("deleted") == "1" {
		page.Notice = &fileNotice{Text: page.T(msgFilesNoticeDeleted)}
	}
	s.render(c, http.StatusOK, "files", page)
	return nil
}

type fileViewPage struct {
	layout
	Heading, Name, Type, Size, Description, Digest string
	Added                                          timeView
	Updated                                        *timeView
	Notice                                         *fileNotice
	Preview                                        string // image, pdf, text, heic
	PreviewHref, PreviewTitle                      string
	Text                                           string // the first textPreviewBytes of a text file
	TextCut                                        string // says how much is shown, when not all
	DownloadHref, EditHref, DeleteHref             string
}

// fileView shows a file's details and a preview: images and PDFs from the
// preview route, the beginning of a text file in the page itself.
func (s *Pages) fileView(c *gin.Context, who auth.Principal) error {
	f, err := s.Files.Get(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return err
	}
	page := fileViewPage{layout: s.layout(c, msgFilesListTitle), Name: f.Name, Description: f.Description,
		DownloadHref: fileHref(f.ID, "download"), EditHref: fileHref(f.ID, "edit"), DeleteHref: fileHref(f.ID, "delete"),
		Digest: hex.EncodeToString(f.SHA256)}
	page.Heading = fileTitle(f)
	page.Title = page.Heading
	page.Type, page.Size, page.Added = page.fileType(f.Type), page.size(f.Size), page.moment(f.CreatedAt)
	if f.Version > 1 {
		u := page.moment(f.UpdatedAt)
		page.Updated = &u
	}
	switch {
	case c.Query("added") == "1":
		page.Notice = &fileNotice{Text: page.T(msgFilesNoticeAdded)}
	case c.Query("updated") == "1":
		page.Notice = &fileNotice{Text: page.T(msgFilesNoticeUpdated)}
	}
	page.PreviewTitle = page.T(msgFilesViewPreviewof, map[string]string{"Title": page.Heading})
	switch f.Type {
	case record.MediaJPEG, record.MediaPNG:
		page.Preview, page.PreviewHref = "image", fileHref(f.ID, "preview")
	case record.MediaPDF:
		page.Preview, page.PreviewHref = "pdf", fileHref(f.ID, "preview")
	case record.MediaHEIC:
		page.Preview = "heic"
	case record.MediaText:
		// A second call to the service, for the content: the entry above
		// said the file is text. The owner's reads are not logged.
		if page.Text, err = s.textHead(c, who, f.ID); err != nil {
			return err
		}
		page.Preview = "text"
		if f.Size > textPreviewBytes {
			page.TextCut = page.T(msgFilesViewTextcut, map[string]string{"Shown": page.size(textPreviewBytes)})
		}
	}
	s.render(c, http.StatusOK, "file", page)
	return nil
}

// textHead reads at most textPreviewBytes of a text file, cut at a whole
// character.
func (s *Pages) textHead(c *gin.Context, who auth.Principal, id string) (string, error) {
	_, rc, err := s.Files.Open(c.Request.Context(), who, who.PersonID, id)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	head, err := io.ReadAll(io.LimitReader(rc, textPreviewBytes))
	if err != nil {
		return "", err
	}
	if len(head) == textPreviewBytes {
		// Drop the bytes of a character the cut split (at most three).
		for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(head[max(0, len(head)-utf8.UTFMax):]); i++ {
			head = head[:len(head)-1]
		}
	}
	return strings.ToValidUTF8(string(head), "\uFFFD"), nil
}

// previewable are the types a browser shows on their own, sandboxed.
var previewable = map[record.MediaType]bool{record.MediaJPEG: true, record.MediaPNG: true, record.MediaPDF: true}

// filePreview sends an image or a PDF to be shown in the file's page.
// Other types have no preview (404): a text file is shown in the page,
// a HEIC image no browser shows.
func (s *Pages) filePreview(c *gin.Context, who auth.Principal) error {
	f, rc, err := s.Files.Open(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	if !previewable[f.Type] {
		return portal.ErrNoRoute
	}
	portal.SendFile(c, s.Log, f, rc, portal.Inline)
	return nil
}

// fileDownload sends a file to be saved, under its sniffed type.
func (s *Pages) fileDownload(c *gin.Context, who auth.Principal) error {
	f, rc, err := s.Files.Open(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	portal.SendFile(c, s.Log, f, rc, portal.Attachment)
	return nil
}
