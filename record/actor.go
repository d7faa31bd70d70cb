package record

import "github.com/omahoito/omahoito/auth"

// ActorKind says what kind of principal wrote a version.
type ActorKind string

// Kinds of actor.
const (
	ActorPerson       ActorKind = "person"       // a citizen (themself, or later a guardian)
	ActorProfessional ActorKind = "professional" // a professional through a consent
	ActorOperator     ActorKind = "operator"     // a regional operator (a transfer)
)

// Actor is who wrote a version of a record entry: which principal, and on
// whose behalf when that is someone else (a guardian for a child). The
// access log and the history pages name it.
type Actor struct {
	Kind       ActorKind
	ID         string // the person's or professional's id
	OnBehalfOf string // the person acted for; empty: for themself
}

// ActorOf is the actor a principal writes as.
func ActorOf(who auth.Principal) Actor {
	switch {
	case who.PersonID != "":
		return Actor{Kind: ActorPerson, ID: who.PersonID}
	case who.Kind == auth.KindOperator:
		return Actor{Kind: ActorOperator, ID: who.ProfessionalID}
	}
	return Actor{Kind: ActorProfessional, ID: who.ProfessionalID}
}

// Is reports whether the actor is the principal who.
func (a Actor) Is(who auth.Principal) bool { return a == ActorOf(who) }
