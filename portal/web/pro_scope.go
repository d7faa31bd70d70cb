package web

import (
	"context"
	"strings"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// proScopeText says in words what a consent covers: "home measurements:
// blood pressure, weight; all their files", and its data window if any.
func proScopeText(sc consent.Scope, t translator) string {
	parts := make([]string, 0, len(sc.Classes)+1)
	for _, cs := range sc.Classes {
		parts = append(parts, proClassText(cs, t))
	}
	if w := sc.Window; !w.From.IsZero() || !w.To.IsZero() {
		to := w.To
		if !to.IsZero() {
			to = to.AddDate(0, 0, -1) // the window's end is exclusive: the last day shown is the day before
		}
		parts = append(parts, t.T(msgProWhatWindow, map[string]string{"From": dateOrDots(w.From, t.lang), "To": dateOrDots(to, t.lang)}))
	}
	return strings.Join(parts, "; ")
}

func proClassText(cs consent.ClassScope, t translator) string {
	switch cs.Class {
	case record.ClassMeasurements:
		if len(cs.Items) == 0 {
			return t.T(msgProWhatMeasAll)
		}
		names := make([]string, 0, len(cs.Items))
		for _, it := range cs.Items {
			names = append(names, kindName(record.Kind(it), t))
		}
		return t.T(msgProWhatMeasKinds, map[string]string{"Kinds": strings.Join(names, ", ")})
	case record.ClassFiles:
		if len(cs.Items) == 0 {
			return t.T(msgProWhatFilesAll)
		}
		return t.T(msgProWhatFilesChosen)
	}
	return t.T(msgProWhatOther)
}

// proCoveredKinds are the measurement kinds the grants cover, in the order
// of record.Specs(); none when no grant covers measurements.
func proCoveredKinds(grants []consent.Grant) []record.Kind {
	var all bool
	listed := map[record.Kind]bool{}
	for _, g := range grants {
		for _, cs := range g.Scope.Classes {
			if cs.Class != record.ClassMeasurements {
				continue
			}
			all = all || len(cs.Items) == 0
			for _, it := range cs.Items {
				listed[record.Kind(it)] = true
			}
		}
	}
	var out []record.Kind
	for _, spec := range record.Specs() {
		if all || listed[spec.Kind] {
			out = append(out, spec.Kind)
		}
	}
	return out
}

// proGrantView is a consent as the professional reads it.
type proGrantView struct {
	Given, What, Through, Until string
}

// proGrantViews describe the grants: given when, covering what, to whom
// (the professional by name, or their unit), until when ("" until revoked).
func (s *Pages) proGrantViews(ctx context.Context, grants []consent.Grant, t translator) ([]proGrantView, error) {
	units := map[string]string{}
	out := make([]proGrantView, 0, len(grants))
	for _, g := range grants {
		v := proGrantView{Given: t.lang.FormatDate(g.CreatedAt), What: proScopeText(g.Scope, t), Through: t.T(msgProThroughYou)}
		if !g.End.IsZero() {
			v.Until = t.lang.FormatDate(g.End)
		}
		if g.Grantee.Kind == consent.GranteeUnit {
			name, ok := units[g.Grantee.ID]
			if !ok {
				unit, err := s.Directory.CareUnit(ctx, g.Grantee.ID)
				if err != nil {
					return nil, err
				}
				name, units[g.Grantee.ID] = unit.Name, unit.Name
			}
			v.Through = t.T(msgProThroughUnit, map[string]string{"Unit": name})
		}
		out = append(out, v)
	}
	return out, nil
}

// line is the grant in one sentence, for the list of patients.
func (v proGrantView) line(t translator) string {
	if v.Until == "" {
		return t.T(msgProConsentLineOpen, v)
	}
	return t.T(msgProConsentLine, v)
}

// sentence says under which consent the professional sees the data.
func (v proGrantView) sentence(t translator) string {
	if v.Until == "" {
		return t.T(msgProPatientConsentOpen, v)
	}
	return t.T(msgProPatientConsent, v)
}
