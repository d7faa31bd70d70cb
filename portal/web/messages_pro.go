package web

// The professional's pages' message ids, in locales/pro.<lang>.json.
const (
	msgProHomeNow              msgID = "pro.home.now"
	msgProHomeComing           msgID = "pro.home.coming"
	msgProHomePatients         msgID = "pro.home.patients"
	msgProHomeLookup           msgID = "pro.home.lookup"
	msgProHomeAsks             msgID = "pro.home.asks"
	msgProErrorNotpro          msgID = "pro.error.notpro"
	msgProErrorKindNotcovered  msgID = "pro.error.kind.notcovered"
	msgProPatientsTitle        msgID = "pro.patients.title"
	msgProPatientsIntro        msgID = "pro.patients.intro"
	msgProPatientsEmpty        msgID = "pro.patients.empty"
	msgProPatientsMore         msgID = "pro.patients.more"
	msgProConsentLine          msgID = "pro.consent.line"
	msgProConsentLineOpen      msgID = "pro.consent.line.open"
	msgProThroughYou           msgID = "pro.through.you"
	msgProThroughUnit          msgID = "pro.through.unit"
	msgProWhatMeasAll          msgID = "pro.what.meas.all"
	msgProWhatMeasKinds        msgID = "pro.what.meas.kinds"
	msgProWhatFilesAll         msgID = "pro.what.files.all"
	msgProWhatFilesChosen      msgID = "pro.what.files.chosen"
	msgProWhatOther            msgID = "pro.what.other"
	msgProWhatWindow           msgID = "pro.what.window"
	msgProPatientTitle         msgID = "pro.patient.title"
	msgProPatientConsent       msgID = "pro.patient.consent"
	msgProPatientConsentOpen   msgID = "pro.patient.consent.open"
	msgProPatientLogged        msgID = "pro.patient.logged"
	msgProPatientCaption       msgID = "pro.patient.caption"
	msgProPatientNomeas        msgID = "pro.patient.nomeas"
	msgProBackPatients         msgID = "pro.back.patients"
	msgProBackPatient          msgID = "pro.back.patient"
	msgProKindHeading          msgID = "pro.kind.heading"
	msgProLookupTitle          msgID = "pro.lookup.title"
	msgProLookupIntro          msgID = "pro.lookup.intro"
	msgProLookupHetu           msgID = "pro.lookup.hetu"
	msgProLookupHint           msgID = "pro.lookup.hint"
	msgProLookupSubmit         msgID = "pro.lookup.submit"
	msgProLookupErrorHetu      msgID = "pro.lookup.error.hetu"
	msgProLookupErrorEmpty     msgID = "pro.lookup.error.empty"
	msgProLookupNoconsent      msgID = "pro.lookup.noconsent"
	msgProLookupNoconsentTitle msgID = "pro.lookup.noconsent.title"
	msgProAskHeading           msgID = "pro.ask.heading"
	msgProAskWhat              msgID = "pro.ask.what"
	msgProAskWhatAll           msgID = "pro.ask.what.all"
	msgProAskWhatKinds         msgID = "pro.ask.what.kinds"
	msgProAskKinds             msgID = "pro.ask.kinds"
	msgProAskPeriod            msgID = "pro.ask.period"
	msgProAskMonths            msgID = "pro.ask.months"
	msgProAskUntilrevoked      msgID = "pro.ask.untilrevoked"
	msgProAskReason            msgID = "pro.ask.reason"
	msgProAskReasonHint        msgID = "pro.ask.reason.hint"
	msgProAskSubmit            msgID = "pro.ask.submit"
	msgProAskErrorReason       msgID = "pro.ask.error.reason"
	msgProAskErrorReasonlong   msgID = "pro.ask.error.reasonlong"
	msgProAskErrorWhat         msgID = "pro.ask.error.what"
	msgProAskErrorKinds        msgID = "pro.ask.error.kinds"
	msgProAskErrorPeriod       msgID = "pro.ask.error.period"
	msgProAskSent              msgID = "pro.ask.sent"
	msgProAsksTitle            msgID = "pro.asks.title"
	msgProAsksIntro            msgID = "pro.asks.intro"
	msgProAsksCaption          msgID = "pro.asks.caption"
	msgProAsksEmpty            msgID = "pro.asks.empty"
	msgProAsksColSent          msgID = "pro.asks.col.sent"
	msgProAsksColWhat          msgID = "pro.asks.col.what"
	msgProAsksColPeriod        msgID = "pro.asks.col.period"
	msgProAsksColReason        msgID = "pro.asks.col.reason"
	msgProAsksColStatus        msgID = "pro.asks.col.status"
	msgProAsksPending          msgID = "pro.asks.pending"
	msgProAsksApproved         msgID = "pro.asks.approved"
	msgProAsksDeclined         msgID = "pro.asks.declined"
	msgProFilesHeading         msgID = "pro.files.heading"
	msgProFilesColTitle        msgID = "pro.files.col.title"
	msgProFilesColType         msgID = "pro.files.col.type"
	msgProFilesColSize         msgID = "pro.files.col.size"
	msgProFilesColAdded        msgID = "pro.files.col.added"
	msgProFilesColDownload     msgID = "pro.files.col.download"
	msgProFilesDownload        msgID = "pro.files.download"
	msgProFilesEmpty           msgID = "pro.files.empty"
	msgProFilesNotcovered      msgID = "pro.files.notcovered"
	msgProFileBack             msgID = "pro.file.back"
	msgProFileName             msgID = "pro.file.name"
	msgProFileDescription      msgID = "pro.file.description"
	msgProFilePreview          msgID = "pro.file.preview"
	msgProFileImageAlt         msgID = "pro.file.image.alt"
	msgProFilePdfTitle         msgID = "pro.file.pdf.title"
	msgProFilePdfOpen          msgID = "pro.file.pdf.open"
	msgProFileTextCut          msgID = "pro.file.text.cut"
	msgProFileNopreview        msgID = "pro.file.nopreview"
	msgProSizeB                msgID = "pro.size.b"
	msgProSizeKB               msgID = "pro.size.kb"
	msgProSizeMB               msgID = "pro.size.mb"
)

// proMessages are the texts of the pro pages, in locales/pro.<lang>.json.
var proMessages = map[msgID]msgShape{
	msgProHomeNow: plain, msgProHomeComing: plain, msgProHomePatients: plain, msgProHomeLookup: plain, msgProHomeAsks: plain,
	msgProErrorNotpro: plain, msgProErrorKindNotcovered: plain,
	msgProPatientsTitle: plain, msgProPatientsIntro: plain, msgProPatientsEmpty: plain, msgProPatientsMore: plural,
	msgProConsentLine: plain, msgProConsentLineOpen: plain, msgProThroughYou: plain, msgProThroughUnit: plain,
	msgProWhatMeasAll: plain, msgProWhatMeasKinds: plain, msgProWhatFilesAll: plain, msgProWhatFilesChosen: plain,
	msgProWhatOther: plain, msgProWhatWindow: plain,
	msgProPatientTitle: plain, msgProPatientConsent: plain, msgProPatientConsentOpen: plain, msgProPatientLogged: plain,
	msgProPatientCaption: plain, msgProPatientNomeas: plain, msgProBackPatients: plain, msgProBackPatient: plain,
	msgProKindHeading: plain,
	msgProLookupTitle: plain, msgProLookupIntro: plain, msgProLookupHetu: plain, msgProLookupHint: plain,
	msgProLookupSubmit: plain, msgProLookupErrorHetu: plain, msgProLookupErrorEmpty: plain,
	msgProLookupNoconsent: plain, msgProLookupNoconsentTitle: plain,
	msgProAskHeading: plain, msgProAskWhat: plain, msgProAskWhatAll: plain, msgProAskWhatKinds: plain, msgProAskKinds: plain,
	msgProAskPeriod: plain, msgProAskMonths: plural, msgProAskUntilrevoked: plain, msgProAskReason: plain,
	msgProAskReasonHint: plain, msgProAskSubmit: plain, msgProAskErrorReason: plain, msgProAskErrorReasonlong: plain,
	msgProAskErrorWhat: plain, msgProAskErrorKinds: plain, msgProAskErrorPeriod: plain, msgProAskSent: plain,
	msgProAsksTitle: plain, msgProAsksIntro: plain, msgProAsksCaption: plain, msgProAsksEmpty: plain,
	msgProAsksColSent: plain, msgProAsksColWhat: plain, msgProAsksColPeriod: plain, msgProAsksColReason: plain,
	msgProAsksColStatus: plain, msgProAsksPending: plain, msgProAsksApproved: plain, msgProAsksDeclined: plain,
	msgProFilesHeading: plain, msgProFilesColTitle: plain, msgProFilesColType: plain, msgProFilesColSize: plain, msgProFilesColAdded: plain,
	msgProFilesColDownload: plain, msgProFilesDownload: plain, msgProFilesEmpty: plain, msgProFilesNotcovered: plain, msgProFileBack: plain,
	msgProFileName: plain, msgProFileDescription: plain, msgProFilePreview: plain, msgProFileImageAlt: plain, msgProFilePdfTitle: plain,
	msgProFilePdfOpen: plain, msgProFileTextCut: plain, msgProFileNopreview: plain, msgProSizeB: plain, msgProSizeKB: plain,
	msgProSizeMB: plain,
}
