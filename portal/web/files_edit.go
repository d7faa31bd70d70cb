package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// editFile shows the form for a file's title and description.
func (s *Pages) editFile(c *gin.Context, who auth.Principal) error {
	f, err := s.Files.Get(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return err
	}
	s.renderEditFileForm(c, http.StatusOK, f, uploadValues{Title: f.Title, Description: f.Description}, fileFormErrors{}, "")
	return nil
}

func (s *Pages) renderEditFileForm(c *gin.Context, status int, f record.File, v uploadValues, errs fileFormErrors, problem string) {
	l := s.layout(c, msgFilesEditTitle)
	page := fileFormPage{layout: l, Heading: l.Title, Intro: l.T(msgFilesEditIntro), Action: fileHref(f.ID, "edit"),
		SubmitLabel: l.T(msgFilesEditSubmit), CancelHref: fileHref(f.ID, ""), Version: f.Version, Problem: problem}
	page.fields(v, errs)
	s.renderFileForm(c, status, page)
}

// formVersion is the version a form was loaded at.
func formVersion(c *gin.Context) (int, error) {
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil || version < 1 {
		return 0, fmt.Errorf("%w: version %q", portal.ErrBadRequest, c.PostForm("version"))
	}
	return version, nil
}

// describeFile stores a new title and description as a new version. A
// change made elsewhere since the form was loaded wins: the form shows it
// and asks for the change again, unless it is this very change (a double
// click on the button).
func (s *Pages) describeFile(c *gin.Context, who auth.Principal) error {
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	v := uploadValues{Title: c.PostForm("title"), Description: c.PostForm("description")}
	cur, err := s.Files.Describe(c.Request.Context(), who, who.PersonID, c.Param("id"), version, v.Title, v.Description)
	var fe *record.FieldError
	switch {
	case err == nil:
	case errors.Is(err, record.ErrConflict) && cur.ID != "":
		if !sameDescription(cur, who, version, v) {
			t := newTranslator(s.i18n, portal.Lang(c.Request.Context()))
			s.renderEditFileForm(c, http.StatusConflict, cur, uploadValues{Title: cur.Title, Description: cur.Description},
				fileFormErrors{}, t.T(msgFilesErrorConflict))
			return nil
		}
	case errors.As(err, &fe):
		f, gerr := s.Files.Get(c.Request.Context(), who, who.PersonID, c.Param("id"))
		if gerr != nil {
			return gerr
		}
		f.Version = version
		status, _, _ := portal.Classify(err)
		s.logRefusal(c, status, err)
		s.renderEditFileForm(c, status, f, v, fieldTooLong(newTranslator(s.i18n, portal.Lang(c.Request.Context())), fe), "")
		return nil
	default:
		return err
	}
	c.Redirect(http.StatusSeeOther, fileHref(c.Param("id"), "")+"?updated=1")
	return nil
}

// sameDescription reports whether cur, newer than version and written by
// who, already says what the form says.
func sameDescription(cur record.File, who auth.Principal, version int, v uploadValues) bool {
	title, err1 := record.CleanTitle(v.Title)
	description, err2 := record.CleanDescription(v.Description)
	return cur.Version > version && cur.EnteredBy.Is(who) && err1 == nil && err2 == nil &&
		cur.Title == title && cur.Description == description
}

type fileDeletePage struct {
	layout
	Question, Problem, Action, CancelHref string
	Version                               int
}

func (s *Pages) confirmFileDelete(c *gin.Context, who auth.Principal) error {
	f, err := s.Files.Get(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return err
	}
	s.renderFileDelete(c, http.StatusOK, f, "")
	return nil
}

func (s *Pages) renderFileDelete(c *gin.Context, status int, f record.File, problem string) {
	page := fileDeletePage{layout: s.layout(c, msgFilesDeleteTitle), Action: fileHref(f.ID, "delete"),
		CancelHref: fileHref(f.ID, ""), Version: f.Version, Problem: problem}
	page.Question = page.T(msgFilesDeleteQuestion, map[string]string{"Name": fileTitle(f)})
	s.render(c, status, "file_delete", page)
}

// deleteFile deletes the file at the version the citizen confirmed. A
// file deleted already (a second click) is done; a file changed since is
// shown again to be confirmed.
func (s *Pages) deleteFile(c *gin.Context, who auth.Principal) error {
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	cur, err := s.Files.Delete(c.Request.Context(), who, who.PersonID, c.Param("id"), version)
	switch {
	case err == nil, errors.Is(err, record.ErrGone):
	case errors.Is(err, record.ErrConflict) && cur.ID != "":
		t := newTranslator(s.i18n, portal.Lang(c.Request.Context()))
		s.renderFileDelete(c, http.StatusConflict, cur, t.T(msgFilesErrorDeleteconflict))
		return nil
	default:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/files?deleted=1")
	return nil
}
