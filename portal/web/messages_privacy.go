package web

// Message ids of the privacy statement, in locales/privacy.<lang>.json.
const (
	msgPrivacyFooterLink        msgID = "privacy.footer.link"
	msgPrivacyTitle             msgID = "privacy.title"
	msgPrivacyIntro             msgID = "privacy.intro"
	msgPrivacyControllerHeading msgID = "privacy.controller.heading"
	msgPrivacyControllerText    msgID = "privacy.controller.text"
	msgPrivacyControllerYours   msgID = "privacy.controller.yours"
	msgPrivacyDataHeading       msgID = "privacy.data.heading"
	msgPrivacyDataBasic         msgID = "privacy.data.basic"
	msgPrivacyDataMeasurements  msgID = "privacy.data.measurements"
	msgPrivacyDataFiles         msgID = "privacy.data.files"
	msgPrivacyDataConsents      msgID = "privacy.data.consents"
	msgPrivacyDataLog           msgID = "privacy.data.log"
	msgPrivacyWhyHeading        msgID = "privacy.why.heading"
	msgPrivacyWhyOwn            msgID = "privacy.why.own"
	msgPrivacyWhyShare          msgID = "privacy.why.share"
	msgPrivacyWhoHeading        msgID = "privacy.who.heading"
	msgPrivacyWhoYou            msgID = "privacy.who.you"
	msgPrivacyWhoConsent        msgID = "privacy.who.consent"
	msgPrivacyWhoNooverride     msgID = "privacy.who.nooverride"
	msgPrivacyWhoOperators      msgID = "privacy.who.operators"
	msgPrivacyLogHeading        msgID = "privacy.log.heading"
	msgPrivacyLogText           msgID = "privacy.log.text"
	msgPrivacyLogWhere          msgID = "privacy.log.where"
	msgPrivacyLogTamper         msgID = "privacy.log.tamper"
	msgPrivacyRightsHeading     msgID = "privacy.rights.heading"
	msgPrivacyRightsSee         msgID = "privacy.rights.see"
	msgPrivacyRightsCorrect     msgID = "privacy.rights.correct"
	msgPrivacyRightsRevoke      msgID = "privacy.rights.revoke"
	msgPrivacyRightsReceipt     msgID = "privacy.rights.receipt"
	msgPrivacyRightsMove        msgID = "privacy.rights.move"
	msgPrivacyRightsContact     msgID = "privacy.rights.contact"
	msgPrivacyKeepHeading       msgID = "privacy.keep.heading"
	msgPrivacyKeepText          msgID = "privacy.keep.text"
	msgPrivacyKeepLog           msgID = "privacy.keep.log"
	msgPrivacyHetuHeading       msgID = "privacy.hetu.heading"
	msgPrivacyHetuText          msgID = "privacy.hetu.text"
)

// privacyMessages are the texts of the privacy statement, in locales/privacy.<lang>.json.
var privacyMessages = map[msgID]msgShape{
	msgPrivacyFooterLink:        plain,
	msgPrivacyTitle:             plain,
	msgPrivacyIntro:             plain,
	msgPrivacyControllerHeading: plain,
	msgPrivacyControllerText:    plain,
	msgPrivacyControllerYours:   plain,
	msgPrivacyDataHeading:       plain,
	msgPrivacyDataBasic:         plain,
	msgPrivacyDataMeasurements:  plain,
	msgPrivacyDataFiles:         plain,
	msgPrivacyDataConsents:      plain,
	msgPrivacyDataLog:           plain,
	msgPrivacyWhyHeading:        plain,
	msgPrivacyWhyOwn:            plain,
	msgPrivacyWhyShare:          plain,
	msgPrivacyWhoHeading:        plain,
	msgPrivacyWhoYou:            plain,
	msgPrivacyWhoConsent:        plain,
	msgPrivacyWhoNooverride:     plain,
	msgPrivacyWhoOperators:      plain,
	msgPrivacyLogHeading:        plain,
	msgPrivacyLogText:           plain,
	msgPrivacyLogWhere:          plain,
	msgPrivacyLogTamper:         plain,
	msgPrivacyRightsHeading:     plain,
	msgPrivacyRightsSee:         plain,
	msgPrivacyRightsCorrect:     plain,
	msgPrivacyRightsRevoke:      plain,
	msgPrivacyRightsReceipt:     plain,
	msgPrivacyRightsMove:        plain,
	msgPrivacyRightsContact:     plain,
	msgPrivacyKeepHeading:       plain,
	msgPrivacyKeepText:          plain,
	msgPrivacyKeepLog:           plain,
	msgPrivacyHetuHeading:       plain,
	msgPrivacyHetuText:          plain,
}
