package consent

import (
	"time"

	"github.com/omahoito/omahoito/auth"
)

// ReceiptVersion is the Kantara Consent Receipt specification the
// receipt follows.
const ReceiptVersion = "KI-CR-v1.1.0"

// Receipt is a consent receipt with the fields of Kantara Consent Receipt
// 1.1 (the basis of ISO/IEC TS 27560): the citizen keeps it as proof of
// what they agreed to. It names the subject by internal id only, never by
// personal identity code.
type Receipt struct {
	Version          string          `json:"version"`
	Jurisdiction     string          `json:"jurisdiction"`
	ConsentTimestamp int64           `json:"consentTimestamp"`
	CollectionMethod string          `json:"collectionMethod"`
	ConsentReceiptID string          `json:"consentReceiptID"`
	Language         string          `json:"language"`
	PIIPrincipalID   string          `json:"piiPrincipalId"`
	PIIControllers   []PIIController `json:"piiControllers"`
	PolicyURL        string          `json:"policyUrl"`
	Services         []ReceiptUse    `json:"services"`
	Sensitive        bool            `json:"sensitive"`
	SPICat           []string        `json:"spiCat"`
	// The fields below are ISO/IEC TS 27560's additions: the record's
	// state now, so that a receipt downloaded later tells revocation.
	Status      string `json:"status"`
	StatusTime  string `json:"statusTimestamp,omitempty"`
	ValidFrom   string `json:"validFrom"`
	ValidUntil  string `json:"validUntil,omitempty"`
	DataFrom    string `json:"dataFrom,omitempty"`
	DataUntil   string `json:"dataUntil,omitempty"`
	GrantedBy   string `json:"grantedBy"`
	IssuedAtISO string `json:"issued"`
}

// PIIController is the registrar: the region that controls the data.
type PIIController struct {
	PIIController string `json:"piiController"`
	OnBehalf      bool   `json:"onBehalf"`
	Contact       string `json:"contact"`
	Address       string `json:"address"`
	Email         string `json:"email"`
	Phone         string `json:"phone"`
	Identifier    string `json:"piiControllerId"`
}

// ReceiptUse is one service and its purposes.
type ReceiptUse struct {
	Service  string           `json:"service"`
	Purposes []ReceiptPurpose `json:"purposes"`
}

// ReceiptPurpose is the purpose the data is shared for, and with whom.
type ReceiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName"`
}

// NewReceipt makes the receipt of g. granteeName names the professional or
// unit; lang is the language the citizen used; policyURL the portal's
// privacy statement.
func NewReceipt(g Grant, registrar auth.Region, granteeName, lang, policyURL string, now time.Time) Receipt {
	termination := "until revoked by the data subject"
	if !g.End.IsZero() {
		termination = "ends " + g.End.UTC().Format(time.RFC3339) + " or when revoked by the data subject"
	}
	r := Receipt{
		Version: ReceiptVersion, Jurisdiction: "FI", ConsentTimestamp: g.CreatedAt.Unix(),
		CollectionMethod: "omahoito portal, after strong electronic identification", ConsentReceiptID: g.ID,
		Language: lang, PIIPrincipalID: g.PersonID,
		PIIControllers: []PIIController{{
			PIIController: registrar.RegistrarName, Contact: registrar.RegistrarName,
			Address: registrar.Name, Email: "", Phone: "", Identifier: "urn:oid:" + registrar.RegistrarOID,
		}},
		PolicyURL: policyURL,
		Services: []ReceiptUse{{Service: "omahoito: sharing of citizen-entered health data", Purposes: []ReceiptPurpose{{
			Purpose: "treatment", PurposeCategory: []string{"Healthcare"}, ConsentType: "EXPLICIT",
			PIICategory: piiCategories(g.Scope), PrimaryPurpose: true, Termination: termination,
			ThirdPartyDisclosure: true, ThirdPartyName: granteeName,
		}}}},
		Sensitive: true, SPICat: []string{"health"},
		Status: receiptStatus(g, now), ValidFrom: g.Start.UTC().Format(time.RFC3339),
		GrantedBy: string(g.GivenBy.Kind) + "/" + g.GivenBy.ID, IssuedAtISO: now.UTC().Format(time.RFC3339),
	}
	if !g.End.IsZero() {
		r.ValidUntil = g.End.UTC().Format(time.RFC3339)
	}
	if !g.Scope.Window.From.IsZero() {
		r.DataFrom = g.Scope.Window.From.UTC().Format(time.RFC3339)
	}
	if !g.Scope.Window.To.IsZero() {
		r.DataUntil = g.Scope.Window.To.UTC().Format(time.RFC3339)
	}
	switch {
	case g.Status == StatusRevoked:
		r.StatusTime = g.RevokedAt.UTC().Format(time.RFC3339)
	case g.Status == StatusEnded:
		r.StatusTime = g.EndedAt.UTC().Format(time.RFC3339)
	}
	return r
}

// receiptStatus is the grant's state in the words of ISO/IEC TS 27560.
func receiptStatus(g Grant, now time.Time) string {
	switch {
	case g.Status == StatusRevoked:
		return "withdrawn"
	case g.Status == StatusEnded, g.Expired(now):
		return "expired"
	case now.Before(g.Start):
		return "given (not yet in force)"
	}
	return "given"
}

// piiCategories names the classes and kinds a grant covers.
func piiCategories(s Scope) []string {
	var out []string
	for _, c := range s.Classes {
		if len(c.Items) == 0 {
			out = append(out, string(c.Class)+": all")
			continue
		}
		for _, it := range c.Items {
			out = append(out, string(c.Class)+": "+it)
		}
	}
	return out
}
