package fhir

import (
	"fmt"
	"net/url"
	"strings"
)

// Error texts here name what is wrong, never the identifier: they reach
// the client and the log.

// ParseIfNoneExist reads an If-None-Exist header (or a transaction entry's
// request.ifNoneExist) for an Observation create: exactly one
// identifier=system|value, with or without a leading "?" or
// "Observation?". It returns the identifier as omahoito stores it,
// "system|value" ("|value" when no system is given). Anything else wraps
// ErrInvalidHeader: conditions other than the identifier are not served,
// since the identifier is what makes a create idempotent.
func ParseIfNoneExist(header string) (string, error) {
	s := strings.TrimSpace(header)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "Observation"), "?")
	q, err := url.ParseQuery(s)
	if err != nil {
		return "", fmt.Errorf("%w: If-None-Exist is not a query string such as identifier=system|value", ErrInvalidHeader)
	}
	values, ok := q["identifier"]
	switch {
	case len(q) != 1 || !ok:
		return "", fmt.Errorf("%w: If-None-Exist supports only identifier=system|value, and nothing else", ErrInvalidHeader)
	case len(values) != 1:
		return "", fmt.Errorf("%w: If-None-Exist names identifier %d times; give one", ErrInvalidHeader, len(values))
	}
	t, err := ParseToken(values[0])
	if err != nil || !t.HasSystem || t.Code == "" || strings.Contains(values[0], ",") {
		return "", fmt.Errorf("%w: If-None-Exist identifier must be one system|value, with a system and a value", ErrInvalidHeader)
	}
	return t.System + "|" + t.Code, nil
}

// CheckIfNoneExist checks that the condition of a conditional create
// names the identifier the Observation carries, which is how omahoito
// finds an existing one: another condition would create a resource the
// condition does not find again.
func CheckIfNoneExist(identifier string, p ParsedObservation) error {
	if p.Input.Identifier != identifier {
		return &FieldError{Path: "Observation.identifier",
			Msg: "If-None-Exist names another identifier than the Observation carries; they must be the same"}
	}
	return nil
}
