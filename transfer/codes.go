package transfer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/omahoito/omahoito/auth"
)

// Limits of a file of personal identity codes an operator gives: a line
// holds one code and perhaps a comment, and a file at most MaxCodes.
const (
	MaxCodes    = 100_000
	maxLineSize = 256
)

// ErrCodeFile: the file as a whole cannot be read (too many codes, a line
// far too long, not text); nothing of it is used.
var ErrCodeFile = errors.New("the file of personal identity codes cannot be used")

// Code is one personal identity code of the file and the line it is on.
// Reports name the line, never the code.
type Code struct {
	Line int
	Hetu auth.Hetu
}

// LineError is a line that holds no valid code; the others go on.
type LineError struct {
	Line   int
	Reason string // why, without the line's content
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// ReadCodes reads a file of personal identity codes: one a line, blank
// lines and lines starting with # skipped, a header line "hetu" (any
// case) allowed first, text after the code on its line (after a comma,
// semicolon, tab or space, as a spreadsheet's export has) ignored. A code
// given twice is used once. The malformed lines come back apart, by line
// number; the file is refused whole (ErrCodeFile) only when it is not a
// file of codes at all.
func ReadCodes(r io.Reader) ([]Code, []LineError, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, maxLineSize), maxLineSize)
	var codes []Code
	var bad []LineError
	seen := map[string]bool{}
	n := 0
	for sc.Scan() {
		n++
		field := firstField(sc.Text(), n == 1)
		if field == "" {
			continue
		}
		h, err := auth.ParseHetu(field)
		if err != nil {
			bad = append(bad, LineError{Line: n, Reason: codeReason(err)})
			continue
		}
		if seen[h.Value()] {
			continue
		}
		if len(codes) == MaxCodes {
			return nil, nil, fmt.Errorf("%w: more than %d codes", ErrCodeFile, MaxCodes)
		}
		seen[h.Value()] = true
		codes = append(codes, Code{Line: n, Hetu: h})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, fmt.Errorf("%w: line %d is longer than %d bytes", ErrCodeFile, n+1, maxLineSize)
		}
		return nil, nil, fmt.Errorf("%w: %w", ErrCodeFile, err)
	}
	return codes, bad, nil
}

// firstField is the code a line gives: its first field, trimmed (a byte
// order mark at the start of the file too); "" for a line to skip.
func firstField(line string, first bool) string {
	if first {
		line = strings.TrimPrefix(line, "\ufeff")
	}
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return ""
	}
	if i := strings.IndexAny(line, ",;\t "); i >= 0 {
		line = line[:i]
	}
	line = strings.Trim(line, `"`)
	if first && strings.EqualFold(line, "hetu") {
		return ""
	}
	return line
}

// codeReason says why a code is not valid without repeating it.
func codeReason(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, ": "); ok {
		return "not a valid personal identity code (" + after + ")"
	}
	return "not a valid personal identity code"
}
