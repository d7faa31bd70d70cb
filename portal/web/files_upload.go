package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// uploadMargin is what the upload form may send besides the file: the
// multipart headers and the title and description (at most
// uploadFieldBytes each).
const uploadMargin = 64 << 10

// uploadFieldBytes caps the title and description as read from the body:
// more than the longest description the rules allow, in four-byte
// characters.
const uploadFieldBytes = 4*record.MaxDescriptionLength + 1024

// uploadAccept is the file input's accept list: a hint to the browser's
// picker only; the service decides the type by the content.
const uploadAccept = ".pdf,.jpg,.jpeg,.png,.heic,.txt,.csv,application/pdf,image/jpeg,image/png,image/heic,text/plain"

// errNoFile: the form was sent without a file chosen.
var errNoFile = fmt.Errorf("%w: no file chosen", record.ErrInvalid)

// uploadField is one field of the upload form as shown.
type uploadField struct {
	ID, Label, Hint, Value, Error string
}

// DescribedBy names the hint and the error of the field, for aria-describedby.
func (f uploadField) DescribedBy() string {
	var ids string
	if f.Hint != "" {
		ids = f.ID + "-hint"
	}
	if f.Error != "" {
		if ids != "" {
			ids += " "
		}
		ids += f.ID + "-error"
	}
	return ids
}

type summaryLink struct{ Href, Text string }

type fileFormPage struct {
	layout
	Heading, Intro, Action, SubmitLabel, CancelHref string
	Version                                         int // editing: the version the form was loaded at
	Problem                                         string
	Errors                                          []summaryLink
	File                                            *uploadField // uploading only
	Accept                                          string
	MaxSize                                         int64  // for upload.js: refuse a larger file before sending it
	TooLarge                                        string // the text upload.js shows then
	Progress                                        string // the progress bar's label
	Sent                                            string // before the percentage sent
	Failed                                          string // when sending fails
	FileTitle, Description                          uploadField
	MaxTitle, MaxDescription                        int
}

// uploadValues are the text fields of the upload form, as read.
type uploadValues struct{ Title, Description string }

// fileFormErrors are the messages at each field of the form.
type fileFormErrors struct{ File, Title, Description string }

func (s *Pages) newFile(c *gin.Context, _ auth.Principal) error {
	s.renderUploadForm(c, http.StatusOK, uploadValues{}, fileFormErrors{})
	return nil
}

func (s *Pages) renderUploadForm(c *gin.Context, status int, v uploadValues, errs fileFormErrors) {
	l := s.layout(c, msgFilesNewTitle)
	limit := l.size(s.fileLimits().MaxFileSize)
	page := fileFormPage{layout: l, Heading: l.Title, Action: uploadPath, SubmitLabel: l.T(msgFilesNewSubmit),
		CancelHref: "/files", Accept: uploadAccept, MaxSize: s.fileLimits().MaxFileSize,
		Intro:    l.T(msgFilesNewIntro, map[string]string{"Limit": limit}),
		TooLarge: l.T(msgFilesErrorToolarge, map[string]string{"Limit": limit}),
		Progress: l.T(msgFilesProgressLabel), Sent: l.T(msgFilesProgressSent), Failed: l.T(msgFilesProgressFailed)}
	page.File = &uploadField{ID: "file", Label: l.T(msgFilesFieldFile), Error: errs.File}
	page.fields(v, errs)
	s.renderFileForm(c, status, page)
}

// fields fills in the title and description fields and the error summary.
func (p *fileFormPage) fields(v uploadValues, errs fileFormErrors) {
	p.FileTitle = uploadField{ID: "title", Label: p.T(msgFilesFieldTitle), Hint: p.T(msgFilesHintTitle), Value: v.Title, Error: errs.Title}
	p.Description = uploadField{ID: "description", Label: p.T(msgFilesFieldDescription), Value: v.Description, Error: errs.Description}
	p.MaxTitle, p.MaxDescription = record.MaxTitleLength, record.MaxDescriptionLength
	for _, f := range []*uploadField{p.File, &p.FileTitle, &p.Description} {
		if f != nil && f.Error != "" {
			p.Errors = append(p.Errors, summaryLink{Href: "#" + f.ID, Text: f.Error})
		}
	}
}

func (s *Pages) renderFileForm(c *gin.Context, status int, page fileFormPage) {
	if len(page.Errors) > 0 || page.Problem != "" {
		page.Title = page.T(msgFilesErrorTitle) + ": " + page.Title
	}
	s.render(c, status, "file_form", page)
}

// addFile stores the file the upload form sends, streaming it from the
// request body into the files service: the body is never parsed whole
// (no ParseMultipartForm) and never written to a temporary file. A
// refused file shows the form again with the reason; nothing is stored.
//
// The form's fields come in the order of the page (title, description,
// file), which is the order browsers send them in: the title and
// description are read before the file part, so the file can go straight
// into the service with them. Parts after the file are not read.
func (s *Pages) addFile(c *gin.Context, who auth.Principal) error {
	media, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || media != "multipart/form-data" || params["boundary"] == "" {
		return fmt.Errorf("%w: the upload form is sent as multipart/form-data", portal.ErrUnsupportedMedia)
	}
	limit := s.fileLimits().MaxFileSize + uploadMargin
	var v uploadValues
	if c.Request.ContentLength > limit {
		// Certainly too large: say so before reading any of it.
		return s.uploadRefused(c, v, &record.FileSizeError{Size: c.Request.ContentLength, Limit: s.fileLimits().MaxFileSize})
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	f, err := s.readUpload(c, who, multipart.NewReader(body, params["boundary"]), &v)
	// Read what is left (bounded by the limit) so that the browser, still
	// sending, gets the answer rather than a connection reset.
	_, _ = io.Copy(io.Discard, body)
	if err != nil {
		return s.uploadRefused(c, v, err)
	}
	c.Redirect(http.StatusSeeOther, fileHref(f.ID, "")+"?added=1")
	return nil
}

// readUpload reads the form's fields into v up to the file part, and
// adds the file.
func (s *Pages) readUpload(c *gin.Context, who auth.Principal, mr *multipart.Reader, v *uploadValues) (record.File, error) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return record.File{}, errNoFile
		}
		if err != nil {
			return record.File{}, bodyError(err)
		}
		switch part.FormName() {
		case "title":
			v.Title, err = readField(part, record.FieldTitle)
		case "description":
			v.Description, err = readField(part, record.FieldDescription)
		case "file":
			if part.FileName() == "" {
				return record.File{}, errNoFile // the browser sends an empty part when no file is chosen
			}
			f, err := s.Files.Add(c.Request.Context(), who, who.PersonID, record.Upload{
				Name: part.FileName(), Title: v.Title, Description: v.Description, Body: part})
			return f, bodyError(err)
		}
		if err != nil {
			return record.File{}, err
		}
	}
}

// readField reads one text field, at most uploadFieldBytes of it.
func readField(p *multipart.Part, field record.Field) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, uploadFieldBytes+1))
	if err != nil {
		return "", bodyError(err)
	}
	if len(b) > uploadFieldBytes {
		return "", &record.FieldError{Field: field, Rule: record.RuleTooLong, Msg: string(field) + " is too long"}
	}
	return string(b), nil
}

// bodyError tells a body over the limit (413) or cut or malformed (400)
// from the service's own errors.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return fmt.Errorf("%w: upload over %d bytes: %w", record.ErrFileTooLarge, tooLarge.Limit, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, multipart.ErrMessageTooLarge):
		return fmt.Errorf("%w: the upload was cut or malformed: %v", portal.ErrBadRequest, err)
	}
	return err
}

// uploadRefused shows the form again with why the file was refused,
// under the status portal.Classify gives the error; an error that is not
// about the form (the gate, the store) goes to the error page.
func (s *Pages) uploadRefused(c *gin.Context, v uploadValues, err error) error {
	t := newTranslator(s.i18n, portal.Lang(c.Request.Context()))
	lim := s.fileLimits()
	var errs fileFormErrors
	var qe *record.QuotaError
	var fe *record.FieldError
	switch {
	case errors.Is(err, errNoFile):
		errs.File = t.T(msgFilesErrorNofile)
	case errors.Is(err, record.ErrEmptyFile):
		errs.File = t.T(msgFilesErrorEmpty)
	case errors.Is(err, record.ErrFileType):
		errs.File = t.T(msgFilesErrorType)
	case errors.Is(err, record.ErrFileTooLarge):
		errs.File = t.T(msgFilesErrorToolarge, map[string]string{"Limit": t.size(lim.MaxFileSize)})
	case errors.As(err, &qe):
		errs.File = t.T(msgFilesErrorQuota, map[string]string{"Used": t.size(qe.Used), "Limit": t.size(qe.Limit),
			"Free": t.size(max(qe.Limit-qe.Used, 0))})
	case errors.As(err, &fe) && (fe.Field == record.FieldTitle || fe.Field == record.FieldDescription):
		errs = fieldTooLong(t, fe)
	default:
		return err
	}
	status, _, _ := portal.Classify(err)
	s.logRefusal(c, status, err)
	s.renderUploadForm(c, status, v, errs)
	return nil
}

// fieldTooLong says which field is over its length.
func fieldTooLong(t translator, fe *record.FieldError) fileFormErrors {
	if fe.Field == record.FieldTitle {
		return fileFormErrors{Title: t.T(msgFilesErrorTitlelong, map[string]string{"Max": strconv.Itoa(record.MaxTitleLength)})}
	}
	return fileFormErrors{Description: t.T(msgFilesErrorDesclong, map[string]string{"Max": strconv.Itoa(record.MaxDescriptionLength)})}
}

// logRefusal logs a refused form as the error page would have.
func (s *Pages) logRefusal(c *gin.Context, status int, err error) {
	portal.LogFailure(s.Log, c.Request, c.FullPath(), status, err)
}
