package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/record"
)

type abortKey struct{}

// Abortable lets a handler that has sent part of an answer break the
// connection (AbortResponse): the panic must reach net/http, past the
// Recoverer, which would otherwise append an error page or an
// OperationOutcome to the bytes already sent.
func Abortable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aborted := new(bool)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), abortKey{}, aborted)))
		if *aborted {
			panic(http.ErrAbortHandler)
		}
	})
}

// AbortResponse has the connection cut once the handler returns, so the
// client sees a failed transfer, never a short answer that looks whole.
func AbortResponse(c *gin.Context) {
	if p, ok := c.Request.Context().Value(abortKey{}).(*bool); ok {
		*p = true
		c.Abort()
		return
	}
	panic(http.ErrAbortHandler)
}

// Disposition is how a browser is to treat a file's content.
type Disposition int

// The two ways a file's content is sent.
const (
	// Attachment: saved, never shown in the browser (downloads).
	Attachment Disposition = iota
	// Inline: shown on its own, in a sandbox with no script and no
	// connections (an image or a PDF previewed on the file's page).
	Inline
)

// SendFile streams a file's content under its sniffed type. The browser
// is told not to sniff again; an inline answer is sandboxed so that even
// content that slipped past the sniffer cannot run script in the portal's
// origin. A read that fails after the first byte (content changed or cut
// at rest) cuts the connection: the client never gets a short file that
// looks whole. The service has already logged the read.
func SendFile(c *gin.Context, log *slog.Logger, f record.File, content io.Reader, how Disposition) {
	h := c.Writer.Header()
	h.Set("Content-Type", string(f.Type))
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if how == Inline {
		h.Set("Content-Disposition", disposition("inline", f.Name))
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", inlineCSP(f.Type))
	} else {
		h.Set("Content-Disposition", disposition("attachment", f.Name))
	}
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, content); err != nil {
		LogFailure(log, c.Request, c.FullPath(), http.StatusInternalServerError, err)
		AbortResponse(c)
	}
}

// inlineCSP: the portal's own pages may frame a preview; nothing in the
// preview may run script, load anything or be framed by anyone else.
func inlineCSP(t record.MediaType) string {
	const base = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
	if t == record.MediaPDF {
		// Chromium's PDF viewer is blocked by a sandbox without scripts;
		// it runs PDF script, if any, in its own isolated origin.
		return base + "; object-src 'self'"
	}
	return "sandbox; " + base
}

// DefaultFileName names content that came without a name.
const DefaultFileName = "file"

// disposition names the file by its cleaned name, encoded per RFC 8187 so
// that no byte of it can break out of the header.
func disposition(kind, name string) string {
	if name == "" {
		name = DefaultFileName
	}
	var b strings.Builder
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return kind + "; filename*=UTF-8''" + b.String()
}

// isAttrChar: the bytes RFC 8187 lets stand unencoded in a value.
func isAttrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
