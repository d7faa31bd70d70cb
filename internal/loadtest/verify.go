package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Discrepancy kinds: each is a way the stored record differs from what the
// clients were told.
const (
	DiscMissing             = "acknowledged but missing"
	DiscChanged             = "stored differently than sent"
	DiscAnsweredDifferently = "acknowledged with other content than sent"
	DiscToldFailed          = "told failed but stored"
	DiscUnanswered          = "unanswered but stored"
	DiscExtra               = "stored but never sent"
	DiscDuplicate           = "stored more than once"
	DiscStaleSearch         = "search missed acknowledged writes"
	DiscUnreadable          = "answer the driver cannot read"
	DiscUnverified          = "record could not be read to verify"
)

// Discrepancy is one difference between a citizen's record and what the
// service told the citizen's client.
type Discrepancy struct {
	Kind    string
	Citizen int // index in the run, not the hetu
	Detail  string
}

// stored is one Observation found in a citizen's record.
type stored struct {
	id  string
	m   measurement
	raw json.RawMessage
}

// everything pages through all of the citizen's Observations, following
// next links, and returns them; ok is false when a page could not be read.
func (d *driver) everything(ctx context.Context, z *citizen) ([]stored, bool) {
	var all []stored
	next := d.api("/Observation?patient=" + z.patientID + "&_count=1000")
	for next != "" {
		a, err := d.do(ctx, z.c, OpVerify, http.MethodGet, next, nil, "")
		if err != nil || a.status != http.StatusOK {
			return all, false
		}
		var page struct {
			Link []struct {
				Relation string `json:"relation"`
				URL      string `json:"url"`
			} `json:"link"`
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(a.body, &page); err != nil {
			return all, false
		}
		next = ""
		for _, l := range page.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
		for _, e := range page.Entry {
			id, m, _ := parseObservation(e.Resource) // an unreadable one is reported by verify
			all = append(all, stored{id: id, m: m, raw: e.Resource})
		}
	}
	return all, true
}

// recordBaseline remembers what the citizen's record held before the run,
// so that a person reused from an earlier run does not count as extra.
func (d *driver) recordBaseline(ctx context.Context, z *citizen) error {
	all, ok := d.everything(ctx, z)
	if !ok {
		return fmt.Errorf("%w: citizen %d: cannot read the record before the run", ErrLogin, z.n)
	}
	for _, s := range all {
		z.baseline[s.id] = true
	}
	return nil
}

// verify compares the citizen's whole record with what its client was
// told: every acknowledged write present once with the values sent, and
// nothing else added during the run.
func (d *driver) verify(ctx context.Context, z *citizen) {
	all, ok := d.everything(ctx, z)
	if !ok {
		d.rec.discrepancy(Discrepancy{Kind: DiscUnverified, Citizen: z.n, Detail: "paging search failed"})
		return
	}
	seen := map[string]bool{}
	byIdentifier := map[string]int{}
	for _, s := range all {
		if z.baseline[s.id] {
			continue
		}
		seen[s.id] = true
		d.classify(z, s, byIdentifier)
	}
	for id, m := range z.acked {
		if !seen[id] {
			d.rec.discrepancy(Discrepancy{Kind: DiscMissing, Citizen: z.n, Detail: "Observation/" + id + " (" + m.Identifier + ")"})
			continue
		}
		d.verified.Add(1)
	}
}

// classify checks one Observation written during the run.
func (d *driver) classify(z *citizen, s stored, byIdentifier map[string]int) {
	if s.id == "" {
		d.rec.discrepancy(Discrepancy{Kind: DiscUnreadable, Citizen: z.n, Detail: "verify: " + string(s.raw)})
		return
	}
	if byIdentifier[s.m.Identifier]++; s.m.Identifier != "" && byIdentifier[s.m.Identifier] == 2 {
		d.rec.discrepancy(Discrepancy{Kind: DiscDuplicate, Citizen: z.n, Detail: "identifier " + s.m.Identifier})
	}
	if _, ok := z.acked[s.id]; ok {
		d.compare(z, s.id, s.raw)
		return
	}
	how, ok := z.failed[s.m.Identifier]
	switch {
	case ok && strings.HasPrefix(how, "unanswered"):
		d.rec.discrepancy(Discrepancy{Kind: DiscUnanswered, Citizen: z.n, Detail: "Observation/" + s.id + ": " + how})
	case ok:
		d.rec.discrepancy(Discrepancy{Kind: DiscToldFailed, Citizen: z.n, Detail: "Observation/" + s.id + ": " + how})
	default:
		d.rec.discrepancy(Discrepancy{Kind: DiscExtra, Citizen: z.n, Detail: "Observation/" + s.id})
	}
}
