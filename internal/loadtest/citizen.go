package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
)

// ErrLogin is returned when a citizen cannot log in.
var ErrLogin = errors.New("loadtest: login failed")

// citizen is one person's browser and what the service told it.
type citizen struct {
	n         int // index in the run; used in reports instead of the hetu
	hetu      string
	c         *http.Client
	patientID string
	rng       *rand.Rand
	baseline  map[string]bool        // Observation ids present before the run
	acked     map[string]measurement // acknowledged writes by Observation id
	ackedIDs  []string               // the same ids, to pick one to read back
	failed    map[string]string      // identifier → how the write failed, for writes not acknowledged
	seq       int
}

// login walks the citizen flow as a browser does: GET /login to the
// provider's page, POST the form with hetu and region, follow the
// redirects back to the front page; then learns the Patient id.
func (d *driver) login(ctx context.Context, z *citizen) error {
	page, err := d.do(ctx, z.c, OpLogin, http.MethodGet, d.cfg.BaseURL+"/login", nil, "")
	if err != nil || page.status != http.StatusOK {
		return fmt.Errorf("%w: citizen %d: login page: %d %v", ErrLogin, z.n, page.status, err)
	}
	action, id, err := loginForm(page)
	if err != nil {
		return fmt.Errorf("%w: citizen %d: %w", ErrLogin, z.n, err)
	}
	landed, err := d.form(ctx, z.c, action, url.Values{"id": {id}, "hetu": {z.hetu}, "region": {d.cfg.Region}})
	if err != nil || landed.status != http.StatusOK {
		return fmt.Errorf("%w: citizen %d: form: %d %v", ErrLogin, z.n, landed.status, err)
	}
	if z.patientID, err = d.patientSelf(ctx, z); err != nil {
		return fmt.Errorf("%w: citizen %d: %w", ErrLogin, z.n, err)
	}
	return nil
}

// patientSelf is the logged-in citizen's own Patient id.
func (d *driver) patientSelf(ctx context.Context, z *citizen) (string, error) {
	a, err := d.do(ctx, z.c, OpLogin, http.MethodGet, d.api("/Patient"), nil, "")
	if err != nil || a.status != http.StatusOK {
		return "", fmt.Errorf("GET Patient: %d %v", a.status, err)
	}
	var b struct {
		Entry []struct {
			Resource struct{ ID string } `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(a.body, &b); err != nil || len(b.Entry) != 1 || b.Entry[0].Resource.ID == "" {
		return "", fmt.Errorf("GET Patient: want the citizen alone: %v", err)
	}
	return b.Entry[0].Resource.ID, nil
}

func (d *driver) api(path string) string { return d.cfg.BaseURL + "/fhir/r4" + path }

// write posts one new measurement and remembers how it was answered.
func (d *driver) write(ctx context.Context, z *citizen) {
	z.seq++
	m := randomMeasurement(z.rng, fmt.Sprintf("%s-%d-%d", d.runID, z.n, z.seq), d.now())
	a, err := d.do(ctx, z.c, OpWrite, http.MethodPost, d.api("/Observation"), m.body(z.patientID), fhirJSON)
	if err != nil {
		z.failed[m.Identifier] = "unanswered (" + transportKind(err) + ")"
		return
	}
	if a.status != http.StatusCreated && a.status != http.StatusOK {
		z.failed[m.Identifier] = "told " + strconv.Itoa(a.status)
		return
	}
	id, got, err := parseObservation(a.body)
	if err != nil {
		d.rec.discrepancy(Discrepancy{Kind: DiscUnreadable, Citizen: z.n, Detail: "write answer: " + err.Error()})
		z.failed[m.Identifier] = "acknowledged without a readable Observation"
		return
	}
	if diff := differs(m, got); diff != "" {
		d.rec.discrepancy(Discrepancy{Kind: DiscAnsweredDifferently, Citizen: z.n, Detail: "Observation/" + id + ": " + diff})
	}
	z.acked[id] = m
	z.ackedIDs = append(z.ackedIDs, id)
}

// search reads the citizen's newest measurements, as the app's list does,
// and checks that none acknowledged so far is missing from the total.
func (d *driver) search(ctx context.Context, z *citizen) {
	want := len(z.acked) + len(z.baseline)
	a, err := d.do(ctx, z.c, OpSearch, http.MethodGet, d.api("/Observation?patient="+z.patientID+"&_count=10"), nil, "")
	if err != nil || a.status != http.StatusOK {
		return
	}
	var b struct {
		Total *int `json:"total"`
	}
	if err := json.Unmarshal(a.body, &b); err != nil || b.Total == nil {
		d.rec.discrepancy(Discrepancy{Kind: DiscUnreadable, Citizen: z.n, Detail: "search answer without total"})
		return
	}
	if *b.Total < want {
		d.rec.discrepancy(Discrepancy{Kind: DiscStaleSearch, Citizen: z.n,
			Detail: fmt.Sprintf("total %d, %d acknowledged before the search", *b.Total, want)})
	}
}

// readBack reads one acknowledged measurement and compares it with what
// was sent.
func (d *driver) readBack(ctx context.Context, z *citizen) {
	if len(z.ackedIDs) == 0 {
		d.search(ctx, z)
		return
	}
	id := z.ackedIDs[z.rng.IntN(len(z.ackedIDs))]
	a, err := d.do(ctx, z.c, OpRead, http.MethodGet, d.api("/Observation/"+id), nil, "")
	switch {
	case err != nil:
	case a.status == http.StatusNotFound || a.status == http.StatusGone:
		d.rec.discrepancy(Discrepancy{Kind: DiscMissing, Citizen: z.n, Detail: "read Observation/" + id + ": " + strconv.Itoa(a.status)})
	case a.status == http.StatusOK:
		d.compare(z, id, a.body)
	}
}

// compare checks one stored Observation against the acknowledged write.
func (d *driver) compare(z *citizen, id string, raw []byte) {
	gotID, got, err := parseObservation(raw)
	if err != nil || gotID != id {
		d.rec.discrepancy(Discrepancy{Kind: DiscUnreadable, Citizen: z.n, Detail: fmt.Sprintf("Observation/%s: id %q, %v", id, gotID, err)})
		return
	}
	if diff := differs(z.acked[id], got); diff != "" {
		d.rec.discrepancy(Discrepancy{Kind: DiscChanged, Citizen: z.n, Detail: "Observation/" + id + ": " + diff})
	}
}
