package auth

import "context"

// Kind says who is acting.
type Kind string

// Kinds of principal.
const (
	KindCitizen      Kind = "citizen"
	KindProfessional Kind = "professional"
	KindOperator     Kind = "operator"
)

// Principal is whoever acts on a request, as the session or a bearer token
// established it. It carries ids only: no hetu, no names.
type Principal struct {
	Kind           Kind
	PersonID       string // citizens
	ProfessionalID string // professionals and operators
	CareUnitID     string
	RegionID       string // the citizen's home region or the professional's region
	Client         string // API client (app or device) acting for the principal; empty on the portal's own pages
}

// IsZero reports whether no one is logged in.
func (p Principal) IsZero() bool { return p.Kind == "" }

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or the zero Principal.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
