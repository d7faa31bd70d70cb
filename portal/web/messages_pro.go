package web

// proMessages are the texts of the pro pages, in locales/pro.<lang>.json.
var proMessages = map[msgID]msgShape{}
