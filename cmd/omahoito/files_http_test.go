package main

// The files' faults over HTTP, on the whole app (issue 8): an upload cut
// off halfway, the bucket unreachable, content changed or cut at rest.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/omahoito/omahoito/store/blob"
)

// filesCitizen is a citizen of a running app with a bearer token, and
// where the app's fileblob bucket lies.
type filesCitizen struct {
	*testApp
	token, personID string
	bucket          string // the directory of the fileblob bucket; "" for S3
}

// mustFilesCitizen starts the app on database with its data directory
// known (the default fileblob bucket is under it), and logs a citizen in
// as the development app does.
func mustFilesCitizen(tb testing.TB, database string, opts ...func(*Config)) *filesCitizen {
	tb.Helper()
	dir := tb.TempDir()
	a := MustStartApp(tb, database, append([]func(*Config){func(c *Config) { c.DataDir = dir }}, opts...)...)
	token := devAppToken(tb, a, testHetu)
	u := &filesCitizen{testApp: a, token: token, personID: bearerPatientID(tb, a, nil, token), bucket: filepath.Join(dir, "files")}
	return u
}

// pdfBody is n bytes of a PDF: the header the sniffer looks for, then
// random bytes (incompressible, and a byte changed anywhere is noticed).
func pdfBody(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	copy(b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return b
}

// binary sends a request to /fhir/r4/Binary[/id] with the citizen's token.
// A transfer that fails midway is returned as err, with what was read.
func (u *filesCitizen) binary(tb testing.TB, method, id string, body []byte) (status int, got []byte, loc string, err error) {
	tb.Helper()
	target := u.URL + "/fhir/r4/Binary"
	if id != "" {
		target += "/" + id
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/pdf")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer res.Body.Close()
	got, err = io.ReadAll(res.Body)
	return res.StatusCode, got, res.Header.Get("Location"), err
}

// mustUpload posts body as a Binary and returns the new file's id.
func (u *filesCitizen) mustUpload(tb testing.TB, body []byte) string {
	tb.Helper()
	status, got, loc, err := u.binary(tb, http.MethodPost, "", body)
	if err != nil || status != http.StatusCreated || loc == "" {
		tb.Fatalf("POST Binary: %d %v %s", status, err, got)
	}
	return path.Base(loc)
}

// records is how many files the store holds for the citizen.
func (u *filesCitizen) records(tb testing.TB) int {
	tb.Helper()
	files, err := u.store.Files(context.Background(), u.personID, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return len(files)
}

// objects lists every file in the fileblob bucket's directory, relative
// to it: content under any key, and whatever a write in progress leaves.
func (u *filesCitizen) objects(tb testing.TB) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(u.bucket, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(u.bucket, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	return out
}

// eventually polls cond until it holds, failing after ten seconds.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}

// binaryRequestsLogged counts the finished requests to POST Binary in the
// app's log: a request is logged once its handler has returned.
func (u *filesCitizen) binaryRequestsLogged() int {
	n := 0
	for _, line := range strings.Split(u.log.String(), "\n") {
		if strings.Contains(line, `"msg":"request"`) && strings.Contains(line, `"method":"POST"`) && strings.Contains(line, `/Binary"`) {
			n++
		}
	}
	return n
}

// cutUpload sends POST Binary over a raw connection: the headers of a
// 2 MB PDF (a Content-Length, or chunked), 1 MB of it, and then, once the
// server has begun writing content to the bucket, closes the connection.
func (u *filesCitizen) cutUpload(tb testing.TB, chunked bool) {
	tb.Helper()
	host := strings.TrimPrefix(u.URL, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	held := len(u.objects(tb))
	framing := fmt.Sprintf("Content-Length: %d", 2<<20)
	if chunked {
		framing = "Transfer-Encoding: chunked"
	}
	fmt.Fprintf(conn, "POST /fhir/r4/Binary HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/pdf\r\n%s\r\n\r\n", host, u.token, framing)
	body := pdfBody(tb, 1<<20)
	for chunk := range slices.Chunk(body, 64<<10) {
		if chunked {
			fmt.Fprintf(conn, "%x\r\n", len(chunk))
		}
		if _, err := conn.Write(chunk); err != nil {
			tb.Fatalf("write the body: %v", err)
		}
		if chunked {
			io.WriteString(conn, "\r\n")
		}
	}
	// The cut must come while content is being written, not before.
	eventually(tb, "the upload to reach the bucket", func() bool { return len(u.objects(tb)) > held })
}

// An upload cut off halfway, announced by its length or chunked, leaves
// no record and no content in the bucket, temporary or final, without a
// sweep.
func TestFilesUploadCutOff(t *testing.T) {
	for _, db := range databases {
		for _, framing := range []string{"content-length", "chunked"} {
			t.Run(db+"/"+framing, func(t *testing.T) {
				u := mustFilesCitizen(t, db)
				kept := u.mustUpload(t, pdfBody(t, 100<<10))
				before := u.objects(t)
				if len(before) != 1 || !strings.HasPrefix(before[0], blob.FinalPrefix) {
					t.Fatalf("after one upload the bucket holds %v, want one object under %s", before, blob.FinalPrefix)
				}
				logged := u.binaryRequestsLogged()
				u.cutUpload(t, framing == "chunked")
				eventually(t, "the cut request to end", func() bool { return u.binaryRequestsLogged() > logged })
				if n := u.records(t); n != 1 {
					t.Errorf("after the cut upload the citizen has %d files, want only the one uploaded whole", n)
				}
				if after := u.objects(t); !slices.Equal(after, before) {
					t.Errorf("after the cut upload the bucket holds %v, want only %v", after, before)
				}
				if status, _, _, err := u.binary(t, http.MethodGet, kept, nil); status != http.StatusOK || err != nil {
					t.Errorf("the earlier file: %d %v", status, err)
				}
			})
		}
	}
}

// flakyS3 is an S3-compatible server (gofakes3) that can be taken down:
// while down, every connection is closed unanswered, as a bucket that
// cannot be reached.
type flakyS3 struct {
	backend *s3mem.Backend
	down    atomic.Bool
	url     string // the files_url that reaches it
}

func startFlakyS3(tb testing.TB) *flakyS3 {
	tb.Helper()
	// The S3 client signs with these; it must not look for a developer's
	// own AWS configuration or an instance's metadata.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_CONFIG_FILE": os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		tb.Setenv(k, v)
	}
	f := &flakyS3{backend: s3mem.New()}
	if err := f.backend.CreateBucket("files"); err != nil {
		tb.Fatal(err)
	}
	s3 := gofakes3.New(f.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() {
			panic(http.ErrAbortHandler) // the connection is closed, nothing answered
		}
		s3.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	f.url = "s3://files?" + url.Values{"endpoint": {srv.URL}, "region": {"eu-north-1"}, "use_path_style": {"true"}, "disable_https": {"true"}}.Encode()
	return f
}

// keys lists the objects in the bucket, read from the server's memory.
func (f *flakyS3) keys(tb testing.TB) []string {
	tb.Helper()
	res, err := f.backend.ListBucket("files", nil, gofakes3.ListBucketPage{})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, c := range res.Contents {
		out = append(out, c.Key)
	}
	return out
}

// mustOutcome checks that got is an OperationOutcome.
func mustOutcome(tb testing.TB, got []byte) {
	tb.Helper()
	var oo struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(got, &oo) != nil || oo.ResourceType != "OperationOutcome" {
		tb.Errorf("the answer is not an OperationOutcome: %.200s", got)
	}
}

// With the bucket unreachable, an upload is refused with 503 and stores
// nothing, and a download is 503 before any byte; once the bucket is back,
// the bucket holds only what was there and the file reads whole.
func TestFilesBucketUnreachable(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			s3 := startFlakyS3(t)
			u := mustFilesCitizen(t, db, func(c *Config) { c.FilesURL = s3.url })
			small, large := pdfBody(t, 10<<10), pdfBody(t, 300<<10)
			smallID, largeID := u.mustUpload(t, small), u.mustUpload(t, large)
			before := s3.keys(t)
			if len(before) != 2 {
				t.Fatalf("the bucket holds %v after two uploads", before)
			}

			s3.down.Store(true)
			status, got, _, err := u.binary(t, http.MethodPost, "", pdfBody(t, 200<<10))
			if status != http.StatusServiceUnavailable || err != nil {
				t.Errorf("POST Binary with the bucket down: %d %v, want 503", status, err)
			}
			mustOutcome(t, got)
			if n := u.records(t); n != 2 {
				t.Errorf("after the refused upload the citizen has %d files, want 2", n)
			}
			for _, id := range []string{smallID, largeID} {
				status, got, _, err := u.binary(t, http.MethodGet, id, nil)
				if status != http.StatusServiceUnavailable || err != nil {
					t.Errorf("GET Binary with the bucket down: %d %v, want 503", status, err)
				}
				mustOutcome(t, got)
			}

			s3.down.Store(false)
			if after := s3.keys(t); !slices.Equal(after, before) {
				t.Errorf("after the outage the bucket holds %v, want only %v", after, before)
			}
			for id, want := range map[string][]byte{smallID: small, largeID: large} {
				if status, got, _, err := u.binary(t, http.MethodGet, id, nil); status != http.StatusOK || err != nil || !bytes.Equal(got, want) {
					t.Errorf("GET Binary after the outage: %d %v, %d bytes equal %t", status, err, len(got), bytes.Equal(got, want))
				}
			}
		})
	}
}

// Content changed or cut at rest is never served as the file: a small
// file (one chunk) is refused with a 5xx before any byte; a large one
// either so, or its transfer breaks, and what did arrive is a true prefix.
func TestFilesContentChangedAtRest(t *testing.T) {
	flip := func(off func(size int64) int64) func(tb testing.TB, p string) {
		return func(tb testing.TB, p string) {
			b, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			b[off(int64(len(b)))] ^= 0x01
			if err := os.WriteFile(p, b, 0o600); err != nil {
				tb.Fatal(err)
			}
		}
	}
	truncate := func(tb testing.TB, p string) {
		fi, err := os.Stat(p)
		if err == nil {
			err = os.Truncate(p, fi.Size()/2)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		size   int
		change func(testing.TB, string)
		before bool // refused before the first byte
	}{
		{"small, a byte changed", 10 << 10, flip(func(n int64) int64 { return n / 2 }), true},
		{"small, cut", 10 << 10, truncate, true},
		{"large, first chunk changed", 300 << 10, flip(func(int64) int64 { return 100 }), true},
		{"large, last chunk changed", 300 << 10, flip(func(n int64) int64 { return n - 5 }), false},
		{"large, cut", 300 << 10, truncate, false},
	}
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			u := mustFilesCitizen(t, db)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					want := pdfBody(t, tc.size)
					id := u.mustUpload(t, want)
					f, err := u.store.File(context.Background(), u.personID, id)
					if err != nil {
						t.Fatal(err)
					}
					tc.change(t, filepath.Join(u.bucket, filepath.FromSlash(f.ContentKey)))
					status, got, _, err := u.binary(t, http.MethodGet, id, nil)
					switch {
					case status == http.StatusOK && err == nil:
						t.Fatalf("GET Binary of changed content: 200 and a whole answer of %d bytes (equal to the file: %t)", len(got), bytes.Equal(got, want))
					case tc.before && (status < 500 || bytes.Contains(got, want[:64])):
						t.Errorf("GET Binary: %d, want a 5xx before any byte of the content", status)
					case status == http.StatusOK && !bytes.HasPrefix(want, got):
						t.Errorf("GET Binary sent %d bytes that are not the file's", len(got))
					}
				})
			}
		})
	}
}
