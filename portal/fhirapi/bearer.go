package fhirapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/portal"
)

// errInvalidToken: a bearer token was presented and refused (RFC 6750
// invalid_token). Its chain says why, never quoting the token.
var errInvalidToken = errors.New("invalid bearer token")

// bearerChallenge answers a refused bearer token (RFC 6750 §3).
const bearerChallenge = `Bearer realm="omahoito", error="invalid_token"`

// retryAfter is the Retry-After of a 503 while the token's issuer, or its
// keys, cannot be fetched: the verifier tries again no sooner.
var retryAfter = strconv.Itoa(int(oidc.ProviderRetry / time.Second))

// bearerAuth lets an app or device act for a citizen with an access token.
// A request with a bearer token is authorised by the token alone, never by
// a session cookie; a refused token is 401 with an invalid_token challenge.
// An issuer that cannot be reached is 503 with Retry-After: the token may
// be good, and the app should keep it and try again.
func (s *API) bearerAuth(c *gin.Context) {
	raw, present := portal.BearerToken(c.Request)
	if !present {
		c.Next()
		return
	}
	who, err := s.bearerPrincipal(c.Request.Context(), raw)
	if err != nil {
		switch {
		case errors.Is(err, errInvalidToken):
			c.Header("WWW-Authenticate", bearerChallenge)
		case errors.Is(err, oidc.ErrUnavailable):
			c.Header("Retry-After", retryAfter)
		}
		s.fail(c, err)
		c.Abort()
		return
	}
	c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), who))
	c.Next()
}

// bearerPrincipal verifies the token and finds (or, on first use,
// registers) the citizen it names, in the region it names or the default.
func (s *API) bearerPrincipal(ctx context.Context, raw string) (auth.Principal, error) {
	if s.Bearer == nil {
		return auth.Principal{}, refuseToken(errors.New("bearer tokens are not accepted: no API clients are configured"))
	}
	id, client, err := s.Bearer.Verify(ctx, raw)
	if errors.Is(err, oidc.ErrBearer) {
		return auth.Principal{}, refuseToken(err)
	}
	if err != nil { // oidc.ErrUnavailable: the issuer or its keys are unavailable
		return auth.Principal{}, &portal.UserError{Status: http.StatusServiceUnavailable, MsgID: "error.internal", Err: err}
	}
	hetu, err := auth.ParseHetu(id.Hetu)
	if err != nil {
		return auth.Principal{}, refuseToken(errors.New("the token carries no valid personal identity code"))
	}
	region := id.Region
	if region == "" {
		region = s.DefaultRegion
	}
	person, registered, err := s.People.FindOrRegister(ctx, auth.Registration{
		Hetu: hetu, GivenName: id.GivenName, FamilyName: id.FamilyName, Region: region,
	})
	if errors.Is(err, auth.ErrNotFound) {
		return auth.Principal{}, refuseToken(errors.New("the token names an unknown home region"))
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if registered {
		s.Log.InfoContext(ctx, "citizen registered by an API client", "person_id", person.ID,
			"client", client, "request_id", portal.RequestID(ctx))
	}
	return auth.Principal{Kind: auth.KindCitizen, PersonID: person.ID, RegionID: person.HomeRegion, Client: client}, nil
}

// refuseToken is a 401 whose logged reason is why the token was refused;
// reasons come from oidc.BearerVerifier and here, and quote no token or hetu.
func refuseToken(reason error) error {
	return &portal.UserError{Status: http.StatusUnauthorized, MsgID: "error.unauthorized",
		Err: fmt.Errorf("%w: %w", errInvalidToken, reason)}
}
