package web

// accessLogMessages are the texts of the accesslog pages, in locales/accesslog.<lang>.json.
var accessLogMessages = map[msgID]msgShape{}
