package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/store/postgres/pgtest"
)

// With serve running, a nurse of kainuu reads a citizen under their
// consent; omahoito transfer moves the citizen to oulu beside the server,
// and the nurse's next request is refused (403); both chains, written by
// the server and the command in turn, verify.
func TestTransferRefusesTheNurseFromTheNextRequest(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			var dir, url string
			if db == "postgres" {
				url = pgtest.SchemaURL(t)
			}
			// The database is named here, not by MustStartApp, so that the
			// command reaches the same one; "sqlite" only keeps it as given.
			a := MustStartApp(t, "sqlite", func(c *Config) { dir, c.DatabaseURL = c.DataDir, url })
			config := writeFile(t, t.TempDir(), "omahoito.json", `{}`, 0o600)
			if url != "" {
				config = writeFile(t, t.TempDir(), "omahoito.json", `{"database_url": "`+url+`"}`, 0o600)
			}
			owner := browser(t)
			a.citizenLogin(t, owner, matrixHetuA, "kainuu")
			w := &matrixWorld{a: a, ownerJar: owner, owner: mustPatientSelf(t, owner, a).ID}
			w.seedReadings(t)
			nurse := browser(t)
			if res, _ := a.professionalLogin(t, nurse, "kainuu-nurse"); res.StatusCode != http.StatusOK {
				t.Fatalf("nurse login: %d", res.StatusCode)
			}
			w.giveThroughPages(t)
			w.assertNurseReads(t, nurse, http.StatusOK, "under the grant, before the transfer")

			stdout, _, code := runTransfer(t, "--to", "oulu", "--operator", "op-kainuu", "--person", w.owner, "--data", dir, "--config", config)
			if code != 0 || !strings.Contains(stdout, "1 moved") {
				t.Fatalf("transfer: exit %d, %q", code, stdout)
			}
			w.assertNurseReads(t, nurse, http.StatusForbidden, "the next request after the transfer")
			if out, code := runAudit(t, "verify", "--data", dir, "--config", config); code != 0 {
				t.Errorf("audit verify: exit %d, %s", code, out)
			}
		})
	}
}
