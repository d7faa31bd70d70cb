package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type requestIDKey struct{}

// withRequestID gives every request an id, returned in X-Request-Id and
// written on every log line about it. A client-sent id is not trusted:
// it could be used to forge or confuse log lines.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestID is the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// contentSecurityPolicy allows only the portal's own scripts, styles,
// images and form targets; no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries. hsts is on when
// the public base URL is https: behind a TLS-terminating proxy the request
// itself arrives as plain HTTP, so r.TLS cannot tell.
func securityHeaders(hsts bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// ErrPanic is a handler's panic, turned into a 500 by Recoverer.
var ErrPanic = fmt.Errorf("panic in handler")

// Recoverer turns a panic into a 500 through the face's own error adapter,
// so the client sees a page or an OperationOutcome and the log has the cause.
func Recoverer(fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				fail(c, fmt.Errorf("%w: %v", ErrPanic, v))
				c.Abort()
			}
		}()
		c.Next()
	}
}

// Observe logs one line per request and feeds the metrics. It logs the
// route pattern, never the raw path or query, which could carry personal data.
func Observe(log *slog.Logger, m *Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		status := c.Writer.Status()
		elapsed := time.Since(start)
		m.Observe(c.Request.Method, route, status, elapsed)
		log.InfoContext(c.Request.Context(), "request",
			"method", knownMethod(c.Request.Method), "route", routeLabel(route), "status", status,
			"duration_ms", float64(elapsed.Microseconds())/1000,
			"request_id", RequestID(c.Request.Context()))
	}
}

// NewMetrics registers the HTTP metrics and the Go and process collectors
// in reg (a new registry when nil).
func NewMetrics(reg *prometheus.Registry) (*Metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "omahoito_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "omahoito_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Observe counts one request. The labels come from a closed set — the
// standard methods, the registered route patterns, the status codes the
// server itself chose — so no client can grow the metrics by inventing
// methods or paths.
func (m *Metrics) Observe(method, route string, status int, elapsed time.Duration) {
	method, route = knownMethod(method), routeLabel(route)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
}

// knownMethod folds any method but the standard ones into "other".
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// routeLabel is a registered route pattern, or "unmatched" for a path no
// route knows.
func routeLabel(route string) string {
	if route == "" {
		return "unmatched"
	}
	return route
}
