package portal

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// The error table answers the consent, access-log and file errors with the
// statuses DESIGN §4 names, also when they come wrapped.
func TestClassifyDomainErrors(t *testing.T) {
	for err, want := range map[error]int{
		consent.ErrDenied:                    http.StatusForbidden,
		consent.ErrNotFound:                  http.StatusNotFound,
		consent.ErrConflict:                  http.StatusConflict,
		record.ErrMoving:                     http.StatusConflict,
		&consent.RuleError{Field: "end"}:     http.StatusUnprocessableEntity,
		audit.ErrUnavailable:                 http.StatusServiceUnavailable,
		record.ErrFileType:                   http.StatusUnsupportedMediaType,
		record.ErrFileTooLarge:               http.StatusRequestEntityTooLarge,
		&record.QuotaError{Limit: 1}:         http.StatusUnprocessableEntity,
		record.ErrEmptyFile:                  http.StatusUnprocessableEntity,
		fmt.Errorf("x: %w", record.ErrQuota): http.StatusUnprocessableEntity,
	} {
		if got, _, _ := Classify(fmt.Errorf("wrapped: %w", err)); got != want {
			t.Errorf("Classify(%v) = %d, want %d", err, got, want)
		}
	}
}
