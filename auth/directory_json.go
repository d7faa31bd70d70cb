package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DirectoryJSONError says where in a directory file JSON went wrong, by
// line; it wraps ErrInvalidDirectory.
func DirectoryJSONError(raw []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: line %d: not JSON: %v", ErrInvalidDirectory, lineAt(raw, syntax.Offset), err)
	case errors.As(err, &typ):
		return fmt.Errorf("%w: line %d: %s is %s, want %s", ErrInvalidDirectory, lineAt(raw, typ.Offset), typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the file ends before its JSON does", ErrInvalidDirectory)
	}
	return fmt.Errorf("%w: %v", ErrInvalidDirectory, strings.TrimPrefix(err.Error(), "json: "))
}

func lineAt(raw []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(raw)))
	return bytes.Count(raw[:offset], []byte("\n")) + 1
}
