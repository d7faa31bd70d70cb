package record

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/text/unicode/norm"
)

// Errors of a person's own files. ErrFileType, ErrFileTooLarge and ErrQuota
// are their own sentinels, not ErrInvalid, because each answers with its
// own status.
var (
	// ErrFileType: the content is not a type omahoito keeps (415). The
	// error is a *FileTypeError naming what was found.
	ErrFileType = errors.New("file type not kept")
	// ErrFileTooLarge: one file is over the size limit (413). The error is
	// a *FileSizeError carrying the limit.
	ErrFileTooLarge = errors.New("file too large")
	// ErrQuota: the file would take the person over their total (422 with
	// the figures). The error is a *QuotaError.
	ErrQuota = errors.New("file quota exceeded")
	// ErrEmptyFile: the content has no bytes (400, like any ErrInvalid).
	ErrEmptyFile = fmt.Errorf("%w: the file is empty", ErrInvalid)
	// ErrStorageUnavailable: the store of file content cannot be reached
	// (503, try again); nothing was half-written and no record names it.
	ErrStorageUnavailable = errors.New("file storage unavailable")
)

// Fields of a file a citizen edits.
const (
	FieldTitle       Field = "title"
	FieldDescription Field = "description"
)

// Length caps, in characters (runes), of what a citizen writes about a file.
const (
	MaxFileNameLength    = 200
	MaxTitleLength       = 200
	MaxDescriptionLength = 2000
)

// SniffLen is how many first bytes of the content Sniff wants: pass
// min(SniffLen, size) bytes. A head shorter than SniffLen is taken to be the
// whole content. Sniff looks at no more than mimetype's own window (4096).
const SniffLen = 3072

const sniffMax = 4096

// FileTypeError says which type the content was found to be; it wraps
// ErrFileType.
type FileTypeError struct {
	Found string // the detected media type, e.g. "application/x-elf"
	Msg   string
}

func (e *FileTypeError) Error() string { return e.Msg }
func (e *FileTypeError) Unwrap() error { return ErrFileType }

// Sniff decides a file's type from its first bytes, never from its name or
// declared type. It keeps PDF, JPEG, PNG, HEIC and plain UTF-8 text; anything
// else is a *FileTypeError (ErrFileType), and no bytes ErrEmptyFile.
//
// What mimetype v1.4.16 calls HEIC: an ISO-BMFF file whose ftyp major brand
// (bytes 8..12) is "heic" or "heix" is image/heic; brand "mif1" (the generic
// HEIF brand many cameras write) is image/heif, which Sniff also keeps as
// MediaHEIC. Other HEIF brands (sequences, AVC-coded, AVIF) are refused.
func Sniff(head []byte) (MediaType, error) {
	if len(head) == 0 {
		return "", ErrEmptyFile
	}
	cut := len(head) >= SniffLen // the content may go on past head
	if len(head) > sniffMax {
		head = head[:sniffMax]
	}
	// Our own check first: mimetype finds "%PDF-" anywhere in the first
	// kilobyte, so an executable with a PDF inside would pass as a PDF.
	if found := executable(head); found != "" {
		return "", typeError(found)
	}
	m := mimetype.Detect(head)
	switch {
	case m.Is(string(MediaPDF)):
		// Readers accept junk before the header; we keep only content that
		// starts as a PDF, so a polyglot cannot be served as one.
		if bytes.HasPrefix(head, []byte("%PDF-")) {
			return MediaPDF, nil
		}
		return "", &FileTypeError{Found: m.String(),
			Msg: "the content only looks like a PDF after other bytes; it is not a file type omahoito keeps"}
	case m.Is(string(MediaJPEG)):
		return MediaJPEG, nil
	case m.Is(string(MediaPNG)), m.Is("image/apng"): // an animated PNG is a PNG
		return MediaPNG, nil
	case m.Is("image/heic"), m.Is("image/heif") && bytes.Equal(head[8:12], []byte("mif1")):
		return MediaHEIC, nil
	case isPlainText(m) && isUTF8Text(head, cut):
		return MediaText, nil
	case isPlainText(m):
		return "", &FileTypeError{Found: m.String(), Msg: fmt.Sprintf(
			"text that is not UTF-8 (%s) is not a file type omahoito keeps; save it as UTF-8 text", m.String())}
	}
	return "", typeError(m.String())
}

// executable names the executable formats Sniff refuses whatever follows
// them, or "" when head starts as none of them.
func executable(head []byte) string {
	prefixes := []struct {
		magic string
		found string
	}{
		{"#!", "text/x-shellscript"},
		{"\xEF\xBB\xBF#!", "text/x-shellscript"},
		{"\x7FELF", "application/x-elf"},
		{"MZ", "application/vnd.microsoft.portable-executable"},
		{"\xFE\xED\xFA\xCE", "application/x-mach-binary"},
		{"\xFE\xED\xFA\xCF", "application/x-mach-binary"},
		{"\xCE\xFA\xED\xFE", "application/x-mach-binary"},
		{"\xCF\xFA\xED\xFE", "application/x-mach-binary"},
		{"\xCA\xFE\xBA\xBE", "application/x-mach-binary"}, // or a Java class: refused either way
	}
	for _, p := range prefixes {
		if bytes.HasPrefix(head, []byte(p.magic)) {
			return p.found
		}
	}
	return ""
}

// isPlainText accepts what mimetype calls plain text, and the two kinds of
// it that ordinary prose is often mistaken for (a few lines with commas pass
// as CSV). Every other kind of text (HTML, SVG, XML, scripts, JSON, ...) is
// refused: some are active in a browser, and none is what people keep here.
func isPlainText(m *mimetype.MIME) bool {
	return m.Is("text/plain") || m.Is("text/csv") || m.Is("text/tab-separated-values")
}

// isUTF8Text reports whether head is UTF-8 without NUL. When cut (the
// content may go on), a rune split at the end of head is allowed.
func isUTF8Text(head []byte, cut bool) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	if cut {
		// Drop at most 3 trailing bytes of a rune the cut split.
		for i := 0; i < utf8.UTFMax-1 && len(head) > 0 && !utf8.FullRune(head[lastRuneStart(head):]); i++ {
			head = head[:lastRuneStart(head)]
		}
	}
	return utf8.Valid(head)
}

// lastRuneStart is where the last (possibly incomplete) rune of b begins.
func lastRuneStart(b []byte) int {
	i := len(b) - 1
	for i > 0 && len(b)-i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}

// typeError explains in plain words what was found.
func typeError(found string) *FileTypeError {
	return &FileTypeError{Found: found,
		Msg: fmt.Sprintf("%s (%s) is not a file type omahoito keeps; it keeps PDF, JPEG, PNG, HEIC and plain text", describe(found), found)}
}

// describe names a media type's family for people.
func describe(found string) string {
	switch {
	case strings.Contains(found, "executable"), strings.Contains(found, "elf"),
		strings.Contains(found, "mach-binary"), strings.Contains(found, "shellscript"),
		strings.Contains(found, "msdownload"), strings.Contains(found, "installer"):
		return "an executable"
	case strings.HasPrefix(found, "text/html"), strings.HasPrefix(found, "application/xhtml"):
		return "a web page"
	case strings.HasPrefix(found, "image/svg"):
		return "an SVG image"
	case strings.Contains(found, "javascript"), strings.HasPrefix(found, "text/x-"):
		return "a script"
	case strings.Contains(found, "xml"):
		return "an XML document"
	case strings.Contains(found, "zip"), strings.Contains(found, "compressed"),
		strings.Contains(found, "tar"), strings.Contains(found, "rar"):
		return "an archive"
	case strings.HasPrefix(found, "image/"):
		return "an image of another type"
	case found == "application/octet-stream":
		return "content of an unknown type"
	}
	return "a file of another type"
}

// Limits caps the bytes of one file and of all of a person's files.
type Limits struct {
	MaxFileSize   int64 // bytes a file
	MaxPersonSize int64 // bytes all of a person's current files
}

// DefaultLimits is 20 MB a file and 500 MB a person (DESIGN §11).
func DefaultLimits() Limits {
	return Limits{MaxFileSize: DefaultMaxFileSize, MaxPersonSize: DefaultMaxPersonSize}
}

// FileSizeError says a file is over the size limit; it wraps
// ErrFileTooLarge.
// Size is 0 when the upload was stopped at the limit, its size unknown.
type FileSizeError struct {
	Size, Limit int64
}

func (e *FileSizeError) Error() string {
	if e.Size == 0 {
		_, limit := sizes(e.Limit, e.Limit)
		return fmt.Sprintf("the file is larger than %s, the most a file may be", limit)
	}
	size, limit := sizes(e.Size, e.Limit)
	return fmt.Sprintf("the file is %s; a file may be at most %s", size, limit)
}
func (e *FileSizeError) Unwrap() error { return ErrFileTooLarge }

// QuotaError says a file would take a person over their total: Used is
// what their files already take, Size the new file (0 when the upload was
// stopped at what was left, its size unknown); it wraps ErrQuota.
type QuotaError struct {
	Used, Size, Limit int64
}

func (e *QuotaError) Error() string {
	if e.Size == 0 {
		free, limit := sizes(max(e.Limit-e.Used, 0), e.Limit)
		used, _ := sizes(e.Used, e.Limit)
		return fmt.Sprintf("the file is larger than the %s left: your files already take %s, and together they may take at most %s",
			free, used, limit)
	}
	size, _ := sizes(e.Size, e.Limit)
	used, limit := sizes(e.Used, e.Limit)
	return fmt.Sprintf("the file is %s and your files already take %s; together they may take at most %s",
		size, used, limit)
}
func (e *QuotaError) Unwrap() error { return ErrQuota }

// Check decides whether a file of size bytes (the bytes actually
// received) may be kept by a person whose current files take personTotal.
// Exactly at a limit is allowed. No bytes is ErrEmptyFile.
func (l Limits) Check(size, personTotal int64) error {
	switch {
	case size <= 0:
		return ErrEmptyFile
	case size > l.MaxFileSize:
		return &FileSizeError{Size: size, Limit: l.MaxFileSize}
	case size > l.MaxPersonSize-personTotal: // not personTotal+size: no overflow
		return &QuotaError{Used: personTotal, Size: size, Limit: l.MaxPersonSize}
	}
	return nil
}

// sizes writes a and b for people, in exact bytes when rounding would make
// them read the same ("20.0 MB; at most 20 MB" explains nothing).
func sizes(a, b int64) (string, string) {
	const mb = 1 << 20
	if a != b && math.Round(float64(a)*10/mb) == math.Round(float64(b)*10/mb) {
		return fmt.Sprintf("%d bytes", a), fmt.Sprintf("%d bytes", b)
	}
	return megabytes(a), megabytes(b)
}

// megabytes writes n bytes as people read sizes: "20 MB", "1.5 MB", "12 bytes".
func megabytes(n int64) string {
	const mb = 1 << 20
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n%mb == 0:
		return fmt.Sprintf("%d MB", n/mb)
	case n < mb/10:
		return fmt.Sprintf("%.1f kB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/mb)
}

// CleanFileName makes a name given with an upload fit for display, and only
// display: the content is never found or typed by it. It drops any path
// (/ and \ and a drive like C:), control and format characters (C0, C1,
// DEL, bidirectional overrides, zero-width characters), normalises to NFC,
// trims spaces and dots at the ends, and caps the name at
// MaxFileNameLength characters keeping the extension. It never returns "";
// "../../etc/passwd" becomes "passwd".
func CleanFileName(name string) string {
	// Each step can expose work for another (a stripped control character
	// revealing a drive letter, a cut leaving a trailing space), so run
	// them until nothing changes; every round shortens the name or ends.
	for range 8 {
		next := cleanNameOnce(name)
		if next == name {
			break
		}
		name = next
	}
	if name == "" {
		return "file"
	}
	return name
}

func cleanNameOnce(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) && unicode.IsSpace(r), r == '\u2028', r == '\u2029':
			return ' ' // a tab or line break read as a gap, not glued words
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	s = norm.NFC.String(s)
	s = strings.TrimRight(s, `/\`) // "letters/" names the folder "letters"
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	if len(s) >= 2 && s[1] == ':' && isASCIILetter(s[0]) {
		s = s[2:]
	}
	s = strings.TrimFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	return capName(s)
}

func isASCIILetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// capName keeps at most MaxFileNameLength runes, cutting the base and
// keeping a short extension, so "very long ... .pdf" still ends in ".pdf".
func capName(s string) string {
	r := []rune(s)
	if len(r) <= MaxFileNameLength {
		return s
	}
	ext := []rune{}
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		if e := []rune(s[i:]); len(e) <= 16 {
			ext = e
		}
	}
	base := r[:len(r)-len(ext)]
	return string(base[:MaxFileNameLength-len(ext)]) + string(ext)
}

// CleanTitle trims a file's title, turns line breaks and tabs into spaces,
// and removes other control characters and bidirectional overrides. Over
// MaxTitleLength characters is a *FieldError (ErrInvalid).
func CleanTitle(s string) (string, error) {
	s = cleanText(s, false)
	if n := utf8.RuneCountInString(s); n > MaxTitleLength {
		return "", &FieldError{Field: FieldTitle, Rule: RuleTooLong,
			Msg: fmt.Sprintf("the title is %d characters; at most %d are allowed", n, MaxTitleLength)}
	}
	return s, nil
}

// CleanDescription is CleanTitle for a file's description: line breaks
// (as "\n") and tabs are kept. Over MaxDescriptionLength characters is a
// *FieldError.
func CleanDescription(s string) (string, error) {
	s = cleanText(s, true)
	if n := utf8.RuneCountInString(s); n > MaxDescriptionLength {
		return "", &FieldError{Field: FieldDescription, Rule: RuleTooLong,
			Msg: fmt.Sprintf("the description is %d characters; at most %d are allowed", n, MaxDescriptionLength)}
	}
	return s, nil
}

// cleanText removes what cannot be shown safely. Unlike a file name, a
// title keeps zero-width joiners: emoji and some scripts need them; only
// the bidirectional controls among the format characters, which can make
// text read differently from what it is, are removed.
func cleanText(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case multiline && (r == '\n' || r == '\t'):
			return r
		case r == '\r' && multiline, r == '\u2028' && multiline, r == '\u2029' && multiline:
			return '\n'
		case unicode.IsControl(r) && unicode.IsSpace(r), r == '\u2028', r == '\u2029':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}
