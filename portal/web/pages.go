package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/portal"
)

type homePage struct {
	layout
	Citizen *citizenHome
	Pro     *proHome
}

type citizenHome struct {
	Name, Registrar string
	Moving          *movingNotice // a move of the data under way, if any
}

// movingNotice says where the person's data is being moved and since when.
type movingNotice struct{ Region, Since string }

type proHome struct {
	Name, Unit, Region string
	Role               roleMessages
	// Professional: the links to patients, look-up and requests for
	// consent (operators never see records).
	Professional bool
}

// roleMessages say what a role is and what it can do: today, and what is
// still to come (files for professionals, transfers for operators).
type roleMessages struct {
	Name, Now, Coming msgID
}

var roles = map[auth.Role]roleMessages{
	auth.RoleProfessional: {msgHomeProRoleProfessional, msgProHomeNow, msgProHomeComing},
	auth.RoleOperator:     {msgHomeProRoleOperator, msgHomeProNowOperator, msgHomeProComingOperator},
}

// home greets whoever is logged in, or offers the two logins.
func (s *Pages) home(c *gin.Context) error {
	page := homePage{layout: s.layout(c, msgHomeTitle)}
	who := principal(c)
	var err error
	switch who.Kind {
	case auth.KindCitizen:
		page.Citizen, err = s.citizenHome(c, who)
	case auth.KindProfessional, auth.KindOperator:
		page.Pro, err = s.proHome(c, who)
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "home", page)
	return nil
}

func (s *Pages) citizenHome(c *gin.Context, who auth.Principal) (*citizenHome, error) {
	ctx := c.Request.Context()
	person, err := s.Records.Patient(ctx, who, who.PersonID)
	if err != nil {
		return nil, err
	}
	region, err := s.Directory.Region(ctx, person.HomeRegion)
	if err != nil {
		return nil, err
	}
	home := &citizenHome{Name: fullName(person.GivenName, person.FamilyName), Registrar: region.RegistrarName}
	if person.Moving() {
		to, err := s.Directory.Region(ctx, person.MovingTo)
		if err != nil {
			return nil, err
		}
		t := newTranslator(s.i18n, portal.Lang(ctx))
		home.Moving = &movingNotice{Region: to.Name, Since: t.moment(person.MovingSince).Text}
	}
	return home, nil
}

func (s *Pages) proHome(c *gin.Context, who auth.Principal) (*proHome, error) {
	ctx := c.Request.Context()
	pro, err := s.Directory.Professional(ctx, who.ProfessionalID)
	if err != nil {
		return nil, err
	}
	unit, err := s.Directory.CareUnit(ctx, pro.CareUnitID)
	if err != nil {
		return nil, err
	}
	region, err := s.Directory.Region(ctx, pro.RegionID)
	if err != nil {
		return nil, err
	}
	return &proHome{
		Name: fullName(pro.GivenName, pro.FamilyName), Unit: unit.Name, Region: region.Name,
		Role: roles[pro.Role], Professional: pro.Role == auth.RoleProfessional,
	}, nil
}

func fullName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}
