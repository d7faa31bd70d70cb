package web

// consentMessages are the texts of the consent pages, in locales/consent.<lang>.json.
var consentMessages = map[msgID]msgShape{}
