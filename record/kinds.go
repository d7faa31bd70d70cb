package record

import "math"

// Kind is a type of home measurement.
type Kind string

// The measurement kinds of DESIGN.md §6.
const (
	BloodPressure    Kind = "blood-pressure"
	HeartRate        Kind = "heart-rate"
	BodyWeight       Kind = "body-weight"
	BodyHeight       Kind = "body-height"
	BMI              Kind = "bmi"
	BodyTemperature  Kind = "body-temperature"
	OxygenSaturation Kind = "oxygen-saturation"
	Glucose          Kind = "glucose"
	INR              Kind = "inr"
	PeakFlow         Kind = "peak-flow"
	Steps            Kind = "steps"
)

// Range is an inclusive plausible range in the canonical unit.
type Range struct{ Min, Max float64 }

// Contains reports whether v is within r.
func (r Range) Contains(v float64) bool { return v >= r.Min && v <= r.Max }

// Conversion turns a value in another unit into the canonical unit.
type Conversion struct {
	Unit    string // UCUM code, e.g. "mg/dL"
	Display string
	Convert func(float64) float64
}

// Spec describes one kind: its codes, unit, range and accepted conversions.
type Spec struct {
	Kind        Kind
	Code        string   // LOINC code written on output
	AltCodes    []string // further LOINC codes accepted on input (and written as extra codings)
	Display     string   // LOINC display name
	Unit        string   // canonical UCUM unit
	UnitDisplay string   // unit as people write it
	Range       Range    // plausible range of Value (systolic for blood pressure)
	Decimals    int      // precision kept after conversion
	Conversions []Conversion
	Diastolic   *Range // blood pressure only: plausible diastolic range
}

// Component codes of the blood-pressure panel.
const (
	SystolicCode  = "8480-6"
	DiastolicCode = "8462-4"
)

var specs = []Spec{
	{Kind: BloodPressure, Code: "85354-9", Display: "Blood pressure panel with all children optional",
		Unit: "mm[Hg]", UnitDisplay: "mmHg", Range: Range{40, 300}, Diastolic: &Range{20, 200}},
	{Kind: HeartRate, Code: "8867-4", Display: "Heart rate", Unit: "/min", UnitDisplay: "/min", Range: Range{20, 300}},
	{Kind: BodyWeight, Code: "29463-7", Display: "Body weight", Unit: "kg", UnitDisplay: "kg", Range: Range{0.5, 500}, Decimals: 1,
		Conversions: []Conversion{{Unit: "[lb_av]", Display: "lb", Convert: func(v float64) float64 { return v * 0.45359237 }},
			{Unit: "g", Display: "g", Convert: func(v float64) float64 { return v / 1000 }}}},
	{Kind: BodyHeight, Code: "8302-2", Display: "Body height", Unit: "cm", UnitDisplay: "cm", Range: Range{20, 260}, Decimals: 1,
		Conversions: []Conversion{{Unit: "m", Display: "m", Convert: func(v float64) float64 { return v * 100 }},
			{Unit: "[in_i]", Display: "in", Convert: func(v float64) float64 { return v * 2.54 }}}},
	{Kind: BMI, Code: "39156-5", Display: "Body mass index (BMI) [Ratio]", Unit: "kg/m2", UnitDisplay: "kg/m²", Range: Range{5, 150}, Decimals: 1},
	{Kind: BodyTemperature, Code: "8310-5", Display: "Body temperature", Unit: "Cel", UnitDisplay: "°C", Range: Range{25, 45}, Decimals: 1,
		Conversions: []Conversion{{Unit: "[degF]", Display: "°F", Convert: func(v float64) float64 { return (v - 32) * 5 / 9 }}}},
	{Kind: OxygenSaturation, Code: "2708-6", AltCodes: []string{"59408-5"}, Display: "Oxygen saturation in Arterial blood",
		Unit: "%", UnitDisplay: "%", Range: Range{50, 100}},
	{Kind: Glucose, Code: "14743-9", AltCodes: []string{"15074-8"}, Display: "Glucose [Moles/volume] in Capillary blood by Glucometer",
		Unit: "mmol/L", UnitDisplay: "mmol/l", Range: Range{0.5, 50}, Decimals: 1,
		Conversions: []Conversion{{Unit: "mg/dL", Display: "mg/dl", Convert: func(v float64) float64 { return v / 18.016 }}}},
	{Kind: INR, Code: "34714-6", Display: "INR in Blood by Coagulation assay", Unit: "{INR}", UnitDisplay: "INR", Range: Range{0.5, 10}, Decimals: 1},
	{Kind: PeakFlow, Code: "33452-4", Display: "Maximum expiratory gas flow Respiratory system airway by Peak flow meter",
		Unit: "L/min", UnitDisplay: "l/min", Range: Range{30, 1000}},
	{Kind: Steps, Code: "55423-8", Display: "Number of steps in unspecified time Pedometer", Unit: "{steps}", UnitDisplay: "steps", Range: Range{0, 200000}},
}

var (
	byKind = map[Kind]*Spec{}
	byCode = map[string]*Spec{}
)

func init() {
	for i := range specs {
		s := &specs[i]
		byKind[s.Kind] = s
		byCode[s.Code] = s
		for _, c := range s.AltCodes {
			byCode[c] = s
		}
	}
}

// Specs lists every kind in display order.
func Specs() []Spec { return append([]Spec(nil), specs...) }

// SpecOf returns the spec of a kind.
func SpecOf(k Kind) (Spec, bool) {
	s, ok := byKind[k]
	if !ok {
		return Spec{}, false
	}
	return *s, true
}

// SpecByCode finds a kind by any LOINC code it accepts.
func SpecByCode(code string) (Spec, bool) {
	s, ok := byCode[code]
	if !ok {
		return Spec{}, false
	}
	return *s, true
}

// Canonical converts v given in unit into the kind's canonical unit,
// rounded to the kind's precision. ok is false for a unit the kind does not accept.
func (s Spec) Canonical(v float64, unit string) (float64, bool) {
	if unit == s.Unit {
		return round(v, s.Decimals), true
	}
	for _, c := range s.Conversions {
		if c.Unit == unit {
			return round(c.Convert(v), s.Decimals), true
		}
	}
	return 0, false
}

// RangeIn expresses r, a range in the canonical unit, in unit, rounded
// inwards to the kind's precision (every value shown as allowed is), with the unit as people write it. An
// unknown unit gives r in the canonical unit.
func (s Spec) RangeIn(r Range, unit string) (Range, string) {
	for _, c := range s.Conversions {
		if c.Unit == unit {
			return Range{Min: roundUp(c.fromCanonical(r.Min), s.Decimals), Max: roundDown(c.fromCanonical(r.Max), s.Decimals)}, c.Display
		}
	}
	return r, s.UnitDisplay
}

// fromCanonical inverts Convert. Every conversion is linear (a·v + b), so
// two points give the inverse exactly.
func (c Conversion) fromCanonical(v float64) float64 {
	b := c.Convert(0)
	a := c.Convert(1) - b
	return (v - b) / a
}

func roundDown(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Floor(v*p+1e-9) / p
}

func roundUp(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Ceil(v*p-1e-9) / p
}

// Units lists the units accepted for the kind, canonical first.
func (s Spec) Units() []string {
	units := []string{s.Unit}
	for _, c := range s.Conversions {
		units = append(units, c.Unit)
	}
	return units
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals+1)) // keep one more digit than shown
	return math.Round(v*p) / p
}
