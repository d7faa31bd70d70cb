package web

import (
	"context"
	"slices"
	"strings"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// The file choices of the give form: none (the default), all files (also
// those added later), or the files ticked.
const (
	giveFiles   = "files"
	giveFile    = "file"
	filesNone   = "none"
	filesAll    = "all"
	filesChosen = "chosen"
)

// filesScope is the files part of a grant the form asks for: nil for no
// files, no items for all of them, or the ids ticked. An empty choice is
// none, as a form from before files were offered sends.
func (v giveValues) filesScope(t translator, errs fieldErrors) *consent.ClassScope {
	switch v.Files {
	case "", filesNone:
		return nil
	case filesAll:
		return &consent.ClassScope{Class: record.ClassFiles}
	case filesChosen:
		if len(v.FileIDs) == 0 {
			errs[giveFiles] = t.T(msgConsentErrorNofile)
		}
		return &consent.ClassScope{Class: record.ClassFiles, Items: v.FileIDs}
	}
	errs[giveFiles] = t.T(msgConsentErrorFiles)
	return nil
}

// fileTitles names the citizen's files by id, to say in words which files
// a consent covers.
type fileTitles map[string]string

// ownFiles are the citizen's own files, newest first: the owner's read,
// which the gate lets through unlogged.
func (s *Pages) ownFiles(ctx context.Context, who auth.Principal) ([]record.File, error) {
	return s.Files.List(ctx, who, who.PersonID)
}

// ownFileTitles are the titles of the citizen's files.
func (s *Pages) ownFileTitles(ctx context.Context, who auth.Principal) (fileTitles, error) {
	files, err := s.ownFiles(ctx, who)
	if err != nil {
		return nil, err
	}
	titles := fileTitles{}
	for _, f := range files {
		titles[f.ID] = consentFileLabel(f)
	}
	return titles, nil
}

// unknownFiles checks that the files chosen are the citizen's own, as the
// form offered them: an id forged or of a file deleted since is refused,
// so that the confirmation names every file it shares.
func unknownFiles(in consent.Give, titles fileTitles, t translator) fieldErrors {
	for _, cs := range in.Scope.Classes {
		if cs.Class != record.ClassFiles {
			continue
		}
		for _, id := range cs.Items {
			if _, ok := titles[id]; !ok {
				return fieldErrors{giveFiles: t.T(msgConsentErrorFileUnknown)}
			}
		}
	}
	return nil
}

// consentFileLabel names a file as its owner knows it: the title they
// gave it, else the name it came with.
func consentFileLabel(f record.File) string {
	if f.Title != "" {
		return f.Title
	}
	if f.Name != "" {
		return f.Name
	}
	return f.ID
}

// consentFileType names a file's type as people know it.
func consentFileType(mt record.MediaType, t translator) string {
	switch mt {
	case record.MediaPDF:
		return "PDF"
	case record.MediaJPEG:
		return "JPEG"
	case record.MediaPNG:
		return "PNG"
	case record.MediaHEIC:
		return "HEIC"
	case record.MediaText:
		return t.T(msgConsentFiletypeText)
	}
	return string(mt)
}

// fileChoices are the give form's file radios and, for "chosen", one
// checkbox for each of the citizen's files (title, type and date).
func fileChoices(files []record.File, v giveValues, t translator) (radios, boxes []choice) {
	chosen := v.Files
	if chosen == "" {
		chosen = filesNone
	}
	for _, r := range []struct {
		value string
		label msgID
	}{{filesNone, msgConsentFilesNone}, {filesAll, msgConsentFilesAll}, {filesChosen, msgConsentFilesChosen}} {
		radios = append(radios, choice{Name: giveFiles, ID: "files-" + r.value, Value: r.value, Label: t.T(r.label), Checked: chosen == r.value})
	}
	for _, f := range files {
		boxes = append(boxes, choice{Name: giveFile, ID: "file-" + f.ID, Value: f.ID, Label: consentFileLabel(f),
			Hint: consentFileType(f.Type, t) + ", " + t.lang.FormatDate(f.CreatedAt), Checked: slices.Contains(v.FileIDs, f.ID)})
	}
	return radios, boxes
}

// filesText says in words which files a class scope names: the titles of
// those the citizen still has, and how many they have deleted since.
// Without titles (not the citizen's page) it counts them.
func filesText(items []string, titles fileTitles, t translator) string {
	if titles == nil {
		return t.Count(msgConsentScopeFiles, len(items))
	}
	var named []string
	gone := 0
	for _, id := range items {
		if title, ok := titles[id]; ok {
			named = append(named, title)
		} else {
			gone++
		}
	}
	var parts []string
	if len(named) > 0 {
		parts = append(parts, t.T(msgConsentScopeFilesNamed, map[string]string{"Files": strings.Join(named, ", ")}))
	}
	if gone > 0 {
		parts = append(parts, t.Count(msgConsentScopeFilesGone, gone))
	}
	return strings.Join(parts, ", ")
}
