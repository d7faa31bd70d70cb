package devidp

import (
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// kind tells the two issuers apart.
type kind int

const (
	kindCitizen kind = iota
	kindProfessional
)

func (k kind) slug() string {
	if k == kindCitizen {
		return "citizen"
	}
	return "professional"
}

// issuerDeps are the parts both issuers share.
type issuerDeps struct {
	cfg   Config
	key   *signingKey
	pages *template.Template
}

// issuer is one OpenID provider: its zitadel op, storage and login page.
type issuer struct {
	kind   kind
	issuer string // absolute issuer URL
	path   string // e.g. /dev-idp/citizen
	store  *storage
	op     *op.Provider
	login  http.Handler
}

// newIssuer builds one issuer for its confidential portal client c and its
// public app clients (citizen issuer only).
func newIssuer(deps issuerDeps, k kind, c Client, apps []AppClient, subjectKey []byte) (*issuer, error) {
	path := "/dev-idp/" + k.slug()
	is := &issuer{kind: k, issuer: deps.cfg.BaseURL + path, path: path}
	loginURL := is.issuer + "/login"
	clients := []*client{newClient(c, loginURL)}
	for _, app := range apps {
		clients = append(clients, newAppClient(app, loginURL))
	}
	is.store = newStorage(deps.key, clients)
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devidp: token key: %w", err)
	}
	config := &op.Config{
		CryptoKey:       cryptoKey,
		CodeMethodS256:  true,
		SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile},
		SupportedClaims: append(slices.Clone(op.DefaultSupportedClaims), ClaimHetu, ClaimRegion),
	}
	provider, err := op.NewProvider(config, is.store, op.StaticIssuer(is.issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devidp: %s provider: %w", k.slug(), err)
	}
	is.op = provider
	is.login = &loginHandler{
		issuer:        is,
		directory:     deps.cfg.Directory,
		defaultRegion: deps.cfg.DefaultRegion,
		pages:         deps.pages,
		subjectKey:    subjectKey,
	}
	return is, nil
}
