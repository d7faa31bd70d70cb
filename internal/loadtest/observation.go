package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// IdentifierSystem marks the measurements a run writes.
const IdentifierSystem = "urn:omahoito:loadtest"

const (
	loincSystem = "http://loinc.org"
	ucumSystem  = "http://unitsofmeasure.org"
	bpCode      = "85354-9"
	systolic    = "8480-6"
	diastolic   = "8462-4"
	weightCode  = "29463-7"
	heartCode   = "8867-4"
)

// measurement is what a client sent, and what it must find stored.
type measurement struct {
	Identifier string    // value under IdentifierSystem, unique in the run
	Code       string    // LOINC
	Unit       string    // UCUM
	At         time.Time // effective time, whole seconds
	Values     []float64 // the value, or systolic and diastolic
}

// randomMeasurement is a plausible home reading: blood pressure, weight or
// pulse, taken some time in the last 30 days.
func randomMeasurement(rng *rand.Rand, identifier string, now time.Time) measurement {
	m := measurement{
		Identifier: identifier,
		At:         now.Add(-time.Duration(1+rng.IntN(30*24*3600)) * time.Second).Truncate(time.Second).UTC(),
	}
	switch rng.IntN(3) {
	case 0:
		sys := float64(100 + rng.IntN(70))
		m.Code, m.Unit, m.Values = bpCode, "mm[Hg]", []float64{sys, float64(55 + rng.IntN(int(sys)-55-5))}
	case 1:
		m.Code, m.Unit, m.Values = weightCode, "kg", []float64{float64(450+rng.IntN(800)) / 10}
	default:
		m.Code, m.Unit, m.Values = heartCode, "/min", []float64{float64(45 + rng.IntN(80))}
	}
	return m
}

// Wire form of the parts of an Observation the driver writes and checks.
type (
	coding struct {
		System string `json:"system"`
		Code   string `json:"code"`
	}
	concept struct {
		Coding []coding `json:"coding"`
	}
	identifier struct {
		System string `json:"system"`
		Value  string `json:"value"`
	}
	reference struct {
		Reference string `json:"reference"`
	}
	quantity struct {
		Value  json.Number `json:"value"`
		System string      `json:"system"`
		Code   string      `json:"code"`
	}
	component struct {
		Code          concept   `json:"code"`
		ValueQuantity *quantity `json:"valueQuantity"`
	}
	observation struct {
		ResourceType      string       `json:"resourceType"`
		ID                string       `json:"id,omitempty"`
		Status            string       `json:"status"`
		Identifier        []identifier `json:"identifier,omitempty"`
		Code              concept      `json:"code"`
		Subject           reference    `json:"subject"`
		EffectiveDateTime string       `json:"effectiveDateTime"`
		ValueQuantity     *quantity    `json:"valueQuantity,omitempty"`
		Component         []component  `json:"component,omitempty"`
	}
)

func num(v float64) json.Number { return json.Number(strconv.FormatFloat(v, 'f', -1, 64)) }

// body is the Observation to POST for patientID.
func (m measurement) body(patientID string) []byte {
	o := observation{
		ResourceType:      "Observation",
		Status:            "final",
		Code:              concept{Coding: []coding{{System: loincSystem, Code: m.Code}}},
		EffectiveDateTime: m.At.Format(time.RFC3339),
	}
	o.Identifier = []identifier{{IdentifierSystem, m.Identifier}}
	o.Subject.Reference = "Patient/" + patientID
	if m.Code == bpCode {
		o.Component = []component{
			{Code: concept{Coding: []coding{{loincSystem, systolic}}}, ValueQuantity: &quantity{num(m.Values[0]), ucumSystem, m.Unit}},
			{Code: concept{Coding: []coding{{loincSystem, diastolic}}}, ValueQuantity: &quantity{num(m.Values[1]), ucumSystem, m.Unit}},
		}
	} else {
		o.ValueQuantity = &quantity{num(m.Values[0]), ucumSystem, m.Unit}
	}
	b, err := json.Marshal(o)
	if err != nil {
		panic(err) // plain structs of strings always marshal
	}
	return b
}

var errUnreadable = errors.New("observation the driver cannot read")

// parseObservation reads a stored Observation back into its id and the
// measurement it holds. An identifier from another system leaves
// Identifier empty.
func parseObservation(raw []byte) (string, measurement, error) {
	var o observation
	if err := json.Unmarshal(raw, &o); err != nil {
		return "", measurement{}, fmt.Errorf("%w: %v", errUnreadable, err)
	}
	if o.ResourceType != "Observation" || o.ID == "" || len(o.Code.Coding) == 0 {
		return "", measurement{}, fmt.Errorf("%w: no id or code", errUnreadable)
	}
	m := measurement{Code: o.Code.Coding[0].Code}
	for _, id := range o.Identifier {
		if id.System == IdentifierSystem {
			m.Identifier = id.Value
		}
	}
	at, err := time.Parse(time.RFC3339Nano, o.EffectiveDateTime)
	if err != nil {
		return o.ID, m, fmt.Errorf("%w: effectiveDateTime: %v", errUnreadable, err)
	}
	m.At = at.UTC()
	m.Unit, m.Values, err = values(o)
	return o.ID, m, err
}

func values(o observation) (string, []float64, error) {
	qs := []*quantity{o.ValueQuantity}
	if o.ValueQuantity == nil {
		qs = nil
		for _, c := range o.Component {
			qs = append(qs, c.ValueQuantity)
		}
	}
	unit, vs := "", make([]float64, 0, len(qs))
	for _, q := range qs {
		if q == nil {
			return "", nil, fmt.Errorf("%w: component without a value", errUnreadable)
		}
		v, err := q.Value.Float64()
		if err != nil {
			return "", nil, fmt.Errorf("%w: value %q", errUnreadable, q.Value)
		}
		unit, vs = q.Code, append(vs, v)
	}
	return unit, vs, nil
}

// differs names the first way got is not want, or returns "".
func differs(want, got measurement) string {
	switch {
	case got.Identifier != want.Identifier:
		return fmt.Sprintf("identifier %q, sent %q", got.Identifier, want.Identifier)
	case got.Code != want.Code:
		return fmt.Sprintf("code %s, sent %s", got.Code, want.Code)
	case got.Unit != want.Unit:
		return fmt.Sprintf("unit %s, sent %s", got.Unit, want.Unit)
	case !got.At.Equal(want.At):
		return fmt.Sprintf("time %s, sent %s", got.At.Format(time.RFC3339), want.At.Format(time.RFC3339))
	case len(got.Values) != len(want.Values):
		return fmt.Sprintf("%d values, sent %d", len(got.Values), len(want.Values))
	}
	for i := range want.Values {
		if got.Values[i] != want.Values[i] {
			return fmt.Sprintf("value %g, sent %g", got.Values[i], want.Values[i])
		}
	}
	return ""
}
