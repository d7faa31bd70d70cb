package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
)

// errInvalidToken: a bearer token was presented and refused (RFC 6750
// invalid_token). Its chain says why, never quoting the token.
var errInvalidToken = errors.New("invalid bearer token")

// bearerChallenge answers a refused bearer token (RFC 6750 §3).
const bearerChallenge = `Bearer realm="omahoito", error="invalid_token"`

// bearerToken returns the token of an "Authorization: Bearer ..." header;
// present is true whenever the Bearer scheme is used, even with no token.
func bearerToken(r *http.Request) (token string, present bool) {
	h := r.Header.Get("Authorization")
	const scheme = "Bearer"
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	rest := h[len(scheme):]
	if rest != "" && rest[0] != ' ' {
		return "", false // another scheme that begins with "Bearer"
	}
	return strings.TrimSpace(rest), true
}

// isBearerAPI reports whether r is an API request carrying a bearer token.
// Such requests skip the session entirely: the token alone says who acts.
func isBearerAPI(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/fhir/") {
		return false
	}
	_, present := bearerToken(r)
	return present
}

// retryAfter is the Retry-After of a 503 while the token's issuer, or its
// keys, cannot be fetched: the verifier tries again no sooner.
var retryAfter = strconv.Itoa(int(oidc.ProviderRetry / time.Second))

// bearerAuth lets an app or device act for a citizen with an access token.
// A request with a bearer token is authorised by the token alone, never by
// a session cookie; a refused token is 401 with an invalid_token challenge.
// An issuer that cannot be reached is 503 with Retry-After: the token may
// be good, and the app should keep it and try again.
func (s *Server) bearerAuth(c *gin.Context) {
	raw, present := bearerToken(c.Request)
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
func (s *Server) bearerPrincipal(ctx context.Context, raw string) (auth.Principal, error) {
	if s.Bearer == nil {
		return auth.Principal{}, refuseToken(errors.New("bearer tokens are not accepted: no API clients are configured"))
	}
	id, client, err := s.Bearer.Verify(ctx, raw)
	if errors.Is(err, oidc.ErrBearer) {
		return auth.Principal{}, refuseToken(err)
	}
	if err != nil { // oidc.ErrUnavailable: the issuer or its keys are unavailable
		return auth.Principal{}, &userError{status: http.StatusServiceUnavailable, msgID: "error.internal", err: err}
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
			"client", client, "request_id", requestIDFrom(ctx))
	}
	return auth.Principal{Kind: auth.KindCitizen, PersonID: person.ID, RegionID: person.HomeRegion, Client: client}, nil
}

// refuseToken is a 401 whose logged reason is why the token was refused;
// reasons come from oidc.BearerVerifier and here, and quote no token or hetu.
func refuseToken(reason error) error {
	return &userError{status: http.StatusUnauthorized, msgID: "error.unauthorized",
		err: fmt.Errorf("%w: %w", errInvalidToken, reason)}
}
