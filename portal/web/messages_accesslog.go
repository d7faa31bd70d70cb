package web

// Message ids of the access log pages, in locales/accesslog.<lang>.json.
const (
	msgAccesslogHomeLink            msgID = "accesslog.home.link"
	msgAccesslogTitle               msgID = "accesslog.title"
	msgAccesslogHeading             msgID = "accesslog.heading"
	msgAccesslogIntro               msgID = "accesslog.intro"
	msgAccesslogFilterLegend        msgID = "accesslog.filter.legend"
	msgAccesslogFrom                msgID = "accesslog.from"
	msgAccesslogTo                  msgID = "accesslog.to"
	msgAccesslogFilterShow          msgID = "accesslog.filter.show"
	msgAccesslogErrorDates          msgID = "accesslog.error.dates"
	msgAccesslogCaption             msgID = "accesslog.caption"
	msgAccesslogColTime             msgID = "accesslog.col.time"
	msgAccesslogColWho              msgID = "accesslog.col.who"
	msgAccesslogColWhat             msgID = "accesslog.col.what"
	msgAccesslogColOutcome          msgID = "accesslog.col.outcome"
	msgAccesslogColConsent          msgID = "accesslog.col.consent"
	msgAccesslogConsentLink         msgID = "accesslog.consent.link"
	msgAccesslogEmpty               msgID = "accesslog.empty"
	msgAccesslogEmptyFiltered       msgID = "accesslog.empty.filtered"
	msgAccesslogOlder               msgID = "accesslog.older"
	msgAccesslogViewed              msgID = "accesslog.viewed"
	msgAccesslogRefused             msgID = "accesslog.refused"
	msgAccesslogReasonNotprofession msgID = "accesslog.reason.notprofession"
	msgAccesslogReasonOtherregion   msgID = "accesslog.reason.otherregion"
	msgAccesslogReasonNogrant       msgID = "accesslog.reason.nogrant"
	msgAccesslogReasonRevoked       msgID = "accesslog.reason.revoked"
	msgAccesslogReasonEnded         msgID = "accesslog.reason.ended"
	msgAccesslogReasonNotstarted    msgID = "accesslog.reason.notstarted"
	msgAccesslogReasonExpired       msgID = "accesslog.reason.expired"
	msgAccesslogReasonOutsidescope  msgID = "accesslog.reason.outsidescope"
	msgAccesslogReasonOther         msgID = "accesslog.reason.other"
	msgAccesslogActorProfessional   msgID = "accesslog.actor.professional"
	msgAccesslogActorOperator       msgID = "accesslog.actor.operator"
	msgAccesslogActorCitizen        msgID = "accesslog.actor.citizen"
	msgAccesslogClassMeasurements   msgID = "accesslog.class.measurements"
	msgAccesslogClassPatient        msgID = "accesslog.class.patient"
	msgAccesslogClassFiles          msgID = "accesslog.class.files"
	msgAccesslogClassConsents       msgID = "accesslog.class.consents"
	msgAccesslogClassEverything     msgID = "accesslog.class.everything"
	msgAccesslogClassOther          msgID = "accesslog.class.other"
	msgAccesslogCount               msgID = "accesslog.count"
)

// accessLogMessages are the texts of the access log pages, in locales/accesslog.<lang>.json.
var accessLogMessages = map[msgID]msgShape{
	msgAccesslogHomeLink:            plain,
	msgAccesslogTitle:               plain,
	msgAccesslogHeading:             plain,
	msgAccesslogIntro:               plain,
	msgAccesslogFilterLegend:        plain,
	msgAccesslogFrom:                plain,
	msgAccesslogTo:                  plain,
	msgAccesslogFilterShow:          plain,
	msgAccesslogErrorDates:          plain,
	msgAccesslogCaption:             plain,
	msgAccesslogColTime:             plain,
	msgAccesslogColWho:              plain,
	msgAccesslogColWhat:             plain,
	msgAccesslogColOutcome:          plain,
	msgAccesslogColConsent:          plain,
	msgAccesslogConsentLink:         plain,
	msgAccesslogEmpty:               plain,
	msgAccesslogEmptyFiltered:       plain,
	msgAccesslogOlder:               plain,
	msgAccesslogViewed:              plain,
	msgAccesslogRefused:             plain,
	msgAccesslogReasonNotprofession: plain,
	msgAccesslogReasonOtherregion:   plain,
	msgAccesslogReasonNogrant:       plain,
	msgAccesslogReasonRevoked:       plain,
	msgAccesslogReasonEnded:         plain,
	msgAccesslogReasonNotstarted:    plain,
	msgAccesslogReasonExpired:       plain,
	msgAccesslogReasonOutsidescope:  plain,
	msgAccesslogReasonOther:         plain,
	msgAccesslogActorProfessional:   plain,
	msgAccesslogActorOperator:       plain,
	msgAccesslogActorCitizen:        plain,
	msgAccesslogClassMeasurements:   plain,
	msgAccesslogClassPatient:        plain,
	msgAccesslogClassFiles:          plain,
	msgAccesslogClassConsents:       plain,
	msgAccesslogClassEverything:     plain,
	msgAccesslogClassOther:          plain,
	msgAccesslogCount:               plural,
}
