package web

// msgID is the id of a text in locales/*.json. Go code names texts only
// through the constants below, and the templates only through ids in
// messageTable (checked when the templates are parsed), so the table is
// the whole list of texts the pages can show: the completeness test reads
// it, never the source.
type msgID string

// The message ids, grouped as the locale files are.
const (
	msgAppName                   msgID = "app.name"
	msgAppTagline                msgID = "app.tagline"
	msgNavSkip                   msgID = "nav.skip"
	msgNavLanguage               msgID = "nav.language"
	msgNavLogout                 msgID = "nav.logout"
	msgHomeTitle                 msgID = "home.title"
	msgHomeAnonHeading           msgID = "home.anon.heading"
	msgHomeAnonIntro             msgID = "home.anon.intro"
	msgHomeAnonCitizen           msgID = "home.anon.citizen"
	msgHomeAnonProfessional      msgID = "home.anon.professional"
	msgHomeCitizenGreeting       msgID = "home.citizen.greeting"
	msgHomeCitizenRegion         msgID = "home.citizen.region"
	msgHomeCitizenIntro          msgID = "home.citizen.intro"
	msgHomeProGreeting           msgID = "home.pro.greeting"
	msgHomeProUnit               msgID = "home.pro.unit"
	msgHomeProRegion             msgID = "home.pro.region"
	msgHomeProRoleProfessional   msgID = "home.pro.role.professional"
	msgHomeProRoleOperator       msgID = "home.pro.role.operator"
	msgErrorBack                 msgID = "error.back"
	msgErrorLoginAgain           msgID = "error.login.again"
	msgErrorBadrequest           msgID = "error.badrequest"
	msgErrorLoginFailed          msgID = "error.login.failed"
	msgErrorLoginExpired         msgID = "error.login.expired"
	msgErrorLoginCancelled       msgID = "error.login.cancelled"
	msgErrorLoginHetu            msgID = "error.login.hetu"
	msgErrorLoginUnknownpro      msgID = "error.login.unknownpro"
	msgErrorUnauthorized         msgID = "error.unauthorized"
	msgErrorForbidden            msgID = "error.forbidden"
	msgErrorNotcitizen           msgID = "error.notcitizen"
	msgErrorNotfound             msgID = "error.notfound"
	msgErrorInternal             msgID = "error.internal"
	msgErrorUnavailable          msgID = "error.unavailable"
	msgErrorConflict             msgID = "error.conflict"
	msgErrorGone                 msgID = "error.gone"
	msgMeasHomeLink              msgID = "meas.home.link"
	msgMeasOverviewTitle         msgID = "meas.overview.title"
	msgMeasOverviewHeading       msgID = "meas.overview.heading"
	msgMeasOverviewIntro         msgID = "meas.overview.intro"
	msgMeasOverviewKind          msgID = "meas.overview.kind"
	msgMeasOverviewAdd           msgID = "meas.overview.add"
	msgMeasOverviewCaption       msgID = "meas.overview.caption"
	msgMeasOverviewNone          msgID = "meas.overview.none"
	msgMeasColKind               msgID = "meas.col.kind"
	msgMeasColLatest             msgID = "meas.col.latest"
	msgMeasColTime               msgID = "meas.col.time"
	msgMeasColValue              msgID = "meas.col.value"
	msgMeasColNote               msgID = "meas.col.note"
	msgMeasColActions            msgID = "meas.col.actions"
	msgMeasColVersion            msgID = "meas.col.version"
	msgMeasColChanged            msgID = "meas.col.changed"
	msgMeasColMeasured           msgID = "meas.col.measured"
	msgMeasColReading            msgID = "meas.col.reading"
	msgMeasKindBloodpressure     msgID = "meas.kind.bloodpressure"
	msgMeasKindHeartrate         msgID = "meas.kind.heartrate"
	msgMeasKindBodyweight        msgID = "meas.kind.bodyweight"
	msgMeasKindBodyheight        msgID = "meas.kind.bodyheight"
	msgMeasKindBmi               msgID = "meas.kind.bmi"
	msgMeasKindBodytemperature   msgID = "meas.kind.bodytemperature"
	msgMeasKindOxygensaturation  msgID = "meas.kind.oxygensaturation"
	msgMeasKindGlucose           msgID = "meas.kind.glucose"
	msgMeasKindInr               msgID = "meas.kind.inr"
	msgMeasKindPeakflow          msgID = "meas.kind.peakflow"
	msgMeasKindSteps             msgID = "meas.kind.steps"
	msgMeasUnitSteps             msgID = "meas.unit.steps"
	msgMeasNewTitle              msgID = "meas.new.title"
	msgMeasNewHeading            msgID = "meas.new.heading"
	msgMeasNewSubmit             msgID = "meas.new.submit"
	msgMeasEditTitle             msgID = "meas.edit.title"
	msgMeasEditHeading           msgID = "meas.edit.heading"
	msgMeasEditSubmit            msgID = "meas.edit.submit"
	msgMeasFormCancel            msgID = "meas.form.cancel"
	msgMeasFieldSystolic         msgID = "meas.field.systolic"
	msgMeasFieldDiastolic        msgID = "meas.field.diastolic"
	msgMeasFieldUnit             msgID = "meas.field.unit"
	msgMeasFieldWhen             msgID = "meas.field.when"
	msgMeasFieldDate             msgID = "meas.field.date"
	msgMeasFieldTime             msgID = "meas.field.time"
	msgMeasFieldNote             msgID = "meas.field.note"
	msgMeasHintRange             msgID = "meas.hint.range"
	msgMeasHintDecimals          msgID = "meas.hint.decimals"
	msgMeasHintNote              msgID = "meas.hint.note"
	msgMeasErrorTitle            msgID = "meas.error.title"
	msgMeasErrorSummary          msgID = "meas.error.summary"
	msgMeasErrorRequired         msgID = "meas.error.required"
	msgMeasErrorNumber           msgID = "meas.error.number"
	msgMeasErrorWhole            msgID = "meas.error.whole"
	msgMeasErrorAmbiguous        msgID = "meas.error.ambiguous"
	msgMeasErrorUnit             msgID = "meas.error.unit"
	msgMeasErrorDate             msgID = "meas.error.date"
	msgMeasErrorTime             msgID = "meas.error.time"
	msgMeasErrorRange            msgID = "meas.error.range"
	msgMeasErrorSystolic         msgID = "meas.error.systolic"
	msgMeasErrorFuture           msgID = "meas.error.future"
	msgMeasErrorNote             msgID = "meas.error.note"
	msgMeasErrorInvalid          msgID = "meas.error.invalid"
	msgMeasErrorConflict         msgID = "meas.error.conflict"
	msgMeasErrorResent           msgID = "meas.error.resent"
	msgMeasErrorGone             msgID = "meas.error.gone"
	msgMeasErrorDaterange        msgID = "meas.error.daterange"
	msgMeasNoticeAdded           msgID = "meas.notice.added"
	msgMeasNoticeUpdated         msgID = "meas.notice.updated"
	msgMeasNoticeDeleted         msgID = "meas.notice.deleted"
	msgMeasBackOverview          msgID = "meas.back.overview"
	msgMeasBackKind              msgID = "meas.back.kind"
	msgMeasPageAdd               msgID = "meas.page.add"
	msgMeasRangeLabel            msgID = "meas.range.label"
	msgMeasRangeWeek             msgID = "meas.range.week"
	msgMeasRangeMonth            msgID = "meas.range.month"
	msgMeasRangeQuarter          msgID = "meas.range.quarter"
	msgMeasRangeYear             msgID = "meas.range.year"
	msgMeasRangeAll              msgID = "meas.range.all"
	msgMeasRangeChosen           msgID = "meas.range.chosen"
	msgMeasFilterLegend          msgID = "meas.filter.legend"
	msgMeasFilterFrom            msgID = "meas.filter.from"
	msgMeasFilterTo              msgID = "meas.filter.to"
	msgMeasFilterShow            msgID = "meas.filter.show"
	msgMeasTableCaption          msgID = "meas.table.caption"
	msgMeasTableEmpty            msgID = "meas.table.empty"
	msgMeasCount                 msgID = "meas.count"
	msgMeasActionEdit            msgID = "meas.action.edit"
	msgMeasActionHistory         msgID = "meas.action.history"
	msgMeasActionDelete          msgID = "meas.action.delete"
	msgMeasPagingLabel           msgID = "meas.paging.label"
	msgMeasPagingFirst           msgID = "meas.paging.first"
	msgMeasPagingNext            msgID = "meas.paging.next"
	msgMeasChartTitle            msgID = "meas.chart.title"
	msgMeasChartDesc             msgID = "meas.chart.desc"
	msgMeasChartDescSeries       msgID = "meas.chart.desc.series"
	msgMeasChartDescBp           msgID = "meas.chart.desc.bp"
	msgMeasChartDescGlucose      msgID = "meas.chart.desc.glucose"
	msgMeasChartDescTable        msgID = "meas.chart.desc.table"
	msgMeasChartBandSystolic     msgID = "meas.chart.band.systolic"
	msgMeasChartBandDiastolic    msgID = "meas.chart.band.diastolic"
	msgMeasChartBandGlucose      msgID = "meas.chart.band.glucose"
	msgMeasChartSystolic         msgID = "meas.chart.systolic"
	msgMeasChartDiastolic        msgID = "meas.chart.diastolic"
	msgMeasChartNodata           msgID = "meas.chart.nodata"
	msgMeasChartFailed           msgID = "meas.chart.failed"
	msgMeasDeleteTitle           msgID = "meas.delete.title"
	msgMeasDeleteHeading         msgID = "meas.delete.heading"
	msgMeasDeleteQuestion        msgID = "meas.delete.question"
	msgMeasDeleteKeep            msgID = "meas.delete.keep"
	msgMeasDeleteSubmit          msgID = "meas.delete.submit"
	msgMeasDeleteCancel          msgID = "meas.delete.cancel"
	msgMeasHistoryTitle          msgID = "meas.history.title"
	msgMeasHistoryHeading        msgID = "meas.history.heading"
	msgMeasHistoryIntro          msgID = "meas.history.intro"
	msgMeasHistoryCaption        msgID = "meas.history.caption"
	msgMeasHistoryCurrent        msgID = "meas.history.current"
	msgMeasHistoryEarlier        msgID = "meas.history.earlier"
	msgMeasHistoryDeleted        msgID = "meas.history.deleted"
	msgMeasColEnteredby          msgID = "meas.col.enteredby"
	msgMeasColSource             msgID = "meas.col.source"
	msgMeasEnteredbyYou          msgID = "meas.enteredby.you"
	msgMeasEnteredbyProfessional msgID = "meas.enteredby.professional"
	msgMeasEnteredbyOther        msgID = "meas.enteredby.other"
	msgMeasSourceManual          msgID = "meas.source.manual"
	msgMeasSourceApp             msgID = "meas.source.app"
	msgMeasSourcePortalapi       msgID = "meas.source.portalapi"
	msgMeasHistoryEdit           msgID = "meas.history.edit"
	msgErrorToolarge             msgID = "error.toolarge"
	msgErrorRatelimited          msgID = "error.ratelimited"
	msgErrorCrossorigin          msgID = "error.crossorigin"
	msgMeasErrorBeforebirth      msgID = "meas.error.beforebirth"
	msgErrorHeadingBadrequest    msgID = "error.heading.badrequest"
	msgErrorHeadingUnauthorized  msgID = "error.heading.unauthorized"
	msgErrorHeadingForbidden     msgID = "error.heading.forbidden"
	msgErrorHeadingNotfound      msgID = "error.heading.notfound"
	msgErrorHeadingConflict      msgID = "error.heading.conflict"
	msgErrorHeadingGone          msgID = "error.heading.gone"
	msgErrorHeadingToolarge      msgID = "error.heading.toolarge"
	msgErrorHeadingRatelimited   msgID = "error.heading.ratelimited"
	msgErrorHeadingInternal      msgID = "error.heading.internal"
	msgErrorHeadingUnavailable   msgID = "error.heading.unavailable"
	msgErrorHeadingLogin         msgID = "error.heading.login"
	msgHomeProCanHeading         msgID = "home.pro.can.heading"
	msgHomeProNowOperator        msgID = "home.pro.now.operator"
	msgHomeProComingOperator     msgID = "home.pro.coming.operator"
	msgMeasNoticeDeletedHistory  msgID = "meas.notice.deleted.history"
	msgMeasErrorNotetext         msgID = "meas.error.notetext"
	msgMeasErrorTooearly         msgID = "meas.error.tooearly"
	msgMeasFormLanguage          msgID = "meas.form.language"
	msgMeasHistoryAsentered      msgID = "meas.history.asentered"
)

// msgShape says how a message is written in the locale files.
type msgShape int

const (
	plain  msgShape = iota // one text
	plural                 // CLDR plural forms, chosen by a count
)

// messageTable is every message the code and the templates use: the base
// table below and each feature's own (messages_*.go, with locale files
// locales/<feature>.<lang>.json).
var messageTable = unionOf(baseMessages, consentMessages, accessLogMessages, proMessages, privacyMessages, filesMessages, movingMessages)

func unionOf(tables ...map[msgID]msgShape) map[msgID]msgShape {
	out := map[msgID]msgShape{}
	for _, t := range tables {
		for id, shape := range t {
			if _, dup := out[id]; dup {
				panic("message " + string(id) + " is in two tables")
			}
			out[id] = shape
		}
	}
	return out
}

// baseMessages lists the messages of the layout, home, login, errors and
// measurements, and
// its shape. A locale file holds exactly these ids.
var baseMessages = map[msgID]msgShape{
	msgErrorNotcitizen:           plain,
	msgAppName:                   plain,
	msgAppTagline:                plain,
	msgNavSkip:                   plain,
	msgNavLanguage:               plain,
	msgNavLogout:                 plain,
	msgHomeTitle:                 plain,
	msgHomeAnonHeading:           plain,
	msgHomeAnonIntro:             plain,
	msgHomeAnonCitizen:           plain,
	msgHomeAnonProfessional:      plain,
	msgHomeCitizenGreeting:       plain,
	msgHomeCitizenRegion:         plain,
	msgHomeCitizenIntro:          plain,
	msgHomeProGreeting:           plain,
	msgHomeProUnit:               plain,
	msgHomeProRegion:             plain,
	msgHomeProRoleProfessional:   plain,
	msgHomeProRoleOperator:       plain,
	msgErrorBack:                 plain,
	msgErrorLoginAgain:           plain,
	msgErrorBadrequest:           plain,
	msgErrorLoginFailed:          plain,
	msgErrorLoginExpired:         plain,
	msgErrorLoginCancelled:       plain,
	msgErrorLoginHetu:            plain,
	msgErrorLoginUnknownpro:      plain,
	msgErrorUnauthorized:         plain,
	msgErrorForbidden:            plain,
	msgErrorNotfound:             plain,
	msgErrorInternal:             plain,
	msgErrorUnavailable:          plain,
	msgErrorConflict:             plain,
	msgErrorGone:                 plain,
	msgMeasHomeLink:              plain,
	msgMeasOverviewTitle:         plain,
	msgMeasOverviewHeading:       plain,
	msgMeasOverviewIntro:         plain,
	msgMeasOverviewKind:          plain,
	msgMeasOverviewAdd:           plain,
	msgMeasOverviewCaption:       plain,
	msgMeasOverviewNone:          plain,
	msgMeasColKind:               plain,
	msgMeasColLatest:             plain,
	msgMeasColTime:               plain,
	msgMeasColValue:              plain,
	msgMeasColNote:               plain,
	msgMeasColActions:            plain,
	msgMeasColVersion:            plain,
	msgMeasColChanged:            plain,
	msgMeasColMeasured:           plain,
	msgMeasColReading:            plain,
	msgMeasKindBloodpressure:     plain,
	msgMeasKindHeartrate:         plain,
	msgMeasKindBodyweight:        plain,
	msgMeasKindBodyheight:        plain,
	msgMeasKindBmi:               plain,
	msgMeasKindBodytemperature:   plain,
	msgMeasKindOxygensaturation:  plain,
	msgMeasKindGlucose:           plain,
	msgMeasKindInr:               plain,
	msgMeasKindPeakflow:          plain,
	msgMeasKindSteps:             plain,
	msgMeasUnitSteps:             plain,
	msgMeasNewTitle:              plain,
	msgMeasNewHeading:            plain,
	msgMeasNewSubmit:             plain,
	msgMeasEditTitle:             plain,
	msgMeasEditHeading:           plain,
	msgMeasEditSubmit:            plain,
	msgMeasFormCancel:            plain,
	msgMeasFieldSystolic:         plain,
	msgMeasFieldDiastolic:        plain,
	msgMeasFieldUnit:             plain,
	msgMeasFieldWhen:             plain,
	msgMeasFieldDate:             plain,
	msgMeasFieldTime:             plain,
	msgMeasFieldNote:             plain,
	msgMeasHintRange:             plain,
	msgMeasHintDecimals:          plain,
	msgMeasHintNote:              plain,
	msgMeasErrorTitle:            plain,
	msgMeasErrorSummary:          plain,
	msgMeasErrorRequired:         plain,
	msgMeasErrorNumber:           plain,
	msgMeasErrorWhole:            plain,
	msgMeasErrorAmbiguous:        plain,
	msgMeasErrorUnit:             plain,
	msgMeasErrorDate:             plain,
	msgMeasErrorTime:             plain,
	msgMeasErrorRange:            plain,
	msgMeasErrorSystolic:         plain,
	msgMeasErrorFuture:           plain,
	msgMeasErrorNote:             plain,
	msgMeasErrorInvalid:          plain,
	msgMeasErrorConflict:         plain,
	msgMeasErrorResent:           plain,
	msgMeasErrorGone:             plain,
	msgMeasErrorDaterange:        plain,
	msgMeasNoticeAdded:           plain,
	msgMeasNoticeUpdated:         plain,
	msgMeasNoticeDeleted:         plain,
	msgMeasBackOverview:          plain,
	msgMeasBackKind:              plain,
	msgMeasPageAdd:               plain,
	msgMeasRangeLabel:            plain,
	msgMeasRangeWeek:             plain,
	msgMeasRangeMonth:            plain,
	msgMeasRangeQuarter:          plain,
	msgMeasRangeYear:             plain,
	msgMeasRangeAll:              plain,
	msgMeasRangeChosen:           plain,
	msgMeasFilterLegend:          plain,
	msgMeasFilterFrom:            plain,
	msgMeasFilterTo:              plain,
	msgMeasFilterShow:            plain,
	msgMeasTableCaption:          plain,
	msgMeasTableEmpty:            plain,
	msgMeasCount:                 plural,
	msgMeasActionEdit:            plain,
	msgMeasActionHistory:         plain,
	msgMeasActionDelete:          plain,
	msgMeasPagingLabel:           plain,
	msgMeasPagingFirst:           plain,
	msgMeasPagingNext:            plain,
	msgMeasChartTitle:            plain,
	msgMeasChartDesc:             plain,
	msgMeasChartDescSeries:       plain,
	msgMeasChartDescBp:           plain,
	msgMeasChartDescGlucose:      plain,
	msgMeasChartDescTable:        plain,
	msgMeasChartBandSystolic:     plain,
	msgMeasChartBandDiastolic:    plain,
	msgMeasChartBandGlucose:      plain,
	msgMeasChartSystolic:         plain,
	msgMeasChartDiastolic:        plain,
	msgMeasChartNodata:           plain,
	msgMeasChartFailed:           plain,
	msgMeasDeleteTitle:           plain,
	msgMeasDeleteHeading:         plain,
	msgMeasDeleteQuestion:        plain,
	msgMeasDeleteKeep:            plain,
	msgMeasDeleteSubmit:          plain,
	msgMeasDeleteCancel:          plain,
	msgMeasHistoryTitle:          plain,
	msgMeasHistoryHeading:        plain,
	msgMeasHistoryIntro:          plain,
	msgMeasHistoryCaption:        plain,
	msgMeasHistoryCurrent:        plain,
	msgMeasHistoryEarlier:        plain,
	msgMeasHistoryDeleted:        plain,
	msgMeasColEnteredby:          plain,
	msgMeasColSource:             plain,
	msgMeasEnteredbyYou:          plain,
	msgMeasEnteredbyProfessional: plain,
	msgMeasEnteredbyOther:        plain,
	msgMeasSourceManual:          plain,
	msgMeasSourceApp:             plain,
	msgMeasSourcePortalapi:       plain,
	msgMeasHistoryEdit:           plain,
	msgErrorToolarge:             plain,
	msgErrorRatelimited:          plain,
	msgErrorCrossorigin:          plain,
	msgMeasErrorBeforebirth:      plain,
	msgErrorHeadingBadrequest:    plain,
	msgErrorHeadingUnauthorized:  plain,
	msgErrorHeadingForbidden:     plain,
	msgErrorHeadingNotfound:      plain,
	msgErrorHeadingConflict:      plain,
	msgErrorHeadingGone:          plain,
	msgErrorHeadingToolarge:      plain,
	msgErrorHeadingRatelimited:   plain,
	msgErrorHeadingInternal:      plain,
	msgErrorHeadingUnavailable:   plain,
	msgErrorHeadingLogin:         plain,
	msgHomeProCanHeading:         plain,
	msgHomeProNowOperator:        plain,
	msgHomeProComingOperator:     plain,
	msgMeasNoticeDeletedHistory:  plain,
	msgMeasErrorNotetext:         plain,
	msgMeasErrorTooearly:         plain,
	msgMeasFormLanguage:          plain,
	msgMeasHistoryAsentered:      plain,
}
