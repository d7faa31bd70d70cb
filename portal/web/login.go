package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/portal"
)

// Session keys of the two login flows; one of each may be under way.
const (
	citizenFlow      = "citizen"
	professionalFlow = "professional"
)

var errUnknownProfessional = errors.New("login name not in the directory")

// beginLogin starts an authorization-code flow (state, nonce, PKCE) and
// sends the browser to the identity provider.
func (s *Pages) beginLogin(rp *oidc.RelyingParty, flowName string) func(*gin.Context) error {
	return func(c *gin.Context) error {
		ctx := c.Request.Context()
		flow, authURL, err := rp.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin %s login: %w", flowName, err)
		}
		if err := s.Sessions.SaveFlow(ctx, flowName, flow); err != nil {
			return fmt.Errorf("begin %s login: %w", flowName, err)
		}
		c.Redirect(http.StatusFound, authURL)
		return nil
	}
}

// finishLogin checks the callback against the flow this browser started.
func (s *Pages) finishLogin(c *gin.Context, rp *oidc.RelyingParty, flowName, retry string) (oidc.Identity, error) {
	ctx := c.Request.Context()
	flow, ok := s.Sessions.TakeFlow(ctx, flowName)
	if !ok {
		return oidc.Identity{}, &portal.UserError{Status: http.StatusBadRequest, MsgID: string(msgErrorLoginExpired), Retry: retry,
			Err: fmt.Errorf("%s callback without a login under way: %w", flowName, oidc.ErrState)}
	}
	id, err := rp.Complete(ctx, flow, c.Request.URL.Query())
	if err != nil {
		status, msgID, _ := portal.Classify(err)
		return oidc.Identity{}, &portal.UserError{Status: status, MsgID: string(msgID), Retry: retry, Err: err}
	}
	return id, nil
}

func (s *Pages) citizenCallback(c *gin.Context) error {
	id, err := s.finishLogin(c, s.Citizen, citizenFlow, "/login")
	if err != nil {
		return err
	}
	hetu, err := auth.ParseHetu(id.Hetu)
	if err != nil {
		return &portal.UserError{Status: http.StatusUnauthorized, MsgID: string(msgErrorLoginHetu), Retry: "/login", Err: err}
	}
	region := id.Region
	if region == "" {
		region = s.DefaultRegion
	}
	ctx := c.Request.Context()
	person, registered, err := s.People.FindOrRegister(ctx, auth.Registration{
		Hetu: hetu, GivenName: id.GivenName, FamilyName: id.FamilyName, Region: region,
	})
	if err != nil {
		return err
	}
	p := auth.Principal{Kind: auth.KindCitizen, PersonID: person.ID, RegionID: person.HomeRegion}
	if err := s.Sessions.SignIn(ctx, p); err != nil {
		return err
	}
	s.Log.InfoContext(ctx, "citizen logged in", "person_id", person.ID, "registered", registered,
		"acr", id.ACR, "request_id", portal.RequestID(ctx))
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

func (s *Pages) professionalCallback(c *gin.Context) error {
	id, err := s.finishLogin(c, s.Professional, professionalFlow, "/pro/login")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	pro, err := s.Directory.ProfessionalByUsername(ctx, id.Username)
	if errors.Is(err, auth.ErrNotFound) || id.Username == "" {
		return &portal.UserError{Status: http.StatusForbidden, MsgID: string(msgErrorLoginUnknownpro), Retry: "/pro/login",
			Err: errUnknownProfessional}
	}
	if err != nil {
		return err
	}
	kind := auth.KindProfessional
	if pro.Role == auth.RoleOperator {
		kind = auth.KindOperator
	}
	p := auth.Principal{Kind: kind, ProfessionalID: pro.ID, CareUnitID: pro.CareUnitID, RegionID: pro.RegionID}
	if err := s.Sessions.SignIn(ctx, p); err != nil {
		return err
	}
	s.Log.InfoContext(ctx, "professional logged in", "professional_id", pro.ID, "role", pro.Role,
		"request_id", portal.RequestID(ctx))
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

// logout ends the session; it is a POST, so cross-origin protection covers it.
func (s *Pages) logout(c *gin.Context) error {
	if err := s.Sessions.SignOut(c.Request.Context()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}
