package portal

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/ratelimit"
)

// Limits are the rate limits of the two faces. A nil limiter does not limit.
type Limits struct {
	LoginByAddress *ratelimit.Limiter // login starts, by client address
	WriteByAddress *ratelimit.Limiter // API writes, by client address
	WriteByPerson  *ratelimit.Limiter // API writes, by the person acting
}

// DefaultLimits allow a person at a keyboard or an app that syncs a
// backlog everything they need, and stop floods: 20 login starts at once
// and one more every 3 s per address; 600 writes at once and 20 a second
// per address, 300 at once and 10 a second per person.
func DefaultLimits() (Limits, error) {
	var l Limits
	var err error
	if l.LoginByAddress, err = ratelimit.New(ratelimit.Config{Burst: 20, Every: 3 * time.Second}); err != nil {
		return l, err
	}
	if l.WriteByAddress, err = ratelimit.New(ratelimit.Config{Burst: 600, Every: 50 * time.Millisecond}); err != nil {
		return l, err
	}
	l.WriteByPerson, err = ratelimit.New(ratelimit.Config{Burst: 300, Every: 100 * time.Millisecond})
	return l, err
}

// LimitByAddress refuses a request with 429 when its client address has
// used up its allowance; fail renders the refusal in the face's own way.
// The address is the connection's, or the client a trusted proxy names
// (Shell.TrustedProxies); any other X-Forwarded-For is ignored, since any
// client can write one.
func LimitByAddress(l *ratelimit.Limiter, fail func(*gin.Context, error)) gin.HandlerFunc {
	return limit(l, fail, func(c *gin.Context) string { return ratelimit.AddressKey(c.Request.RemoteAddr) })
}

// LimitByPerson refuses a request with 429 when the person acting has used
// up their allowance. Anonymous requests pass (they are refused later).
func LimitByPerson(l *ratelimit.Limiter, fail func(*gin.Context, error)) gin.HandlerFunc {
	return limit(l, fail, func(c *gin.Context) string {
		who := auth.PrincipalFrom(c.Request.Context())
		if who.PersonID != "" {
			return "person:" + who.PersonID
		}
		if who.ProfessionalID != "" {
			return "professional:" + who.ProfessionalID
		}
		return ""
	})
}

// WritesOnly applies h to requests that change something.
func WritesOnly(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		h(c)
	}
}

func limit(l *ratelimit.Limiter, fail func(*gin.Context, error), key func(*gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		k := key(c)
		if l == nil || k == "" {
			c.Next()
			return
		}
		if ok, wait := l.Allow(k); !ok {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			fail(c, fmt.Errorf("%w: try again in %s", ErrRateLimited, wait.Round(time.Second)))
			c.Abort()
			return
		}
		c.Next()
	}
}
