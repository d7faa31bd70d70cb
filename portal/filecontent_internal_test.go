package portal

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestAbortResponseCutsTheConnection: a download that fails after its
// first bytes must reach the client as a broken transfer, never as a
// short body that looks complete.
func TestAbortResponseCutsTheConnection(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/f", func(c *gin.Context) {
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write([]byte("%PDF-1.4 partial"))
		c.Writer.Flush()
		AbortResponse(c)
	})
	srv := httptest.NewServer(Abortable(r))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/f")
	if err != nil {
		return // cut before the answer: a failure the client sees
	}
	defer res.Body.Close()
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Fatal("the client read a cut download to its end without an error")
	}
}

func TestAttachmentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"tulokset.pdf":          "attachment; filename*=UTF-8''tulokset.pdf",
		"käynti 1.pdf":          "attachment; filename*=UTF-8''k%C3%A4ynti%201.pdf",
		"a\";x=1\r\nSet: y.pdf": "attachment; filename*=UTF-8''a%22%3Bx%3D1%0D%0ASet%3A%20y.pdf",
		"":                      "attachment; filename*=UTF-8''file",
	} {
		if got := disposition("attachment", name); got != want {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
}
