package web

// Message ids of the consent pages, in locales/consent.<lang>.json.
const (
	msgConsentHomeLink             msgID = "consent.home.link"
	msgConsentListTitle            msgID = "consent.list.title"
	msgConsentListHeading          msgID = "consent.list.heading"
	msgConsentListIntro            msgID = "consent.list.intro"
	msgConsentListGive             msgID = "consent.list.give"
	msgConsentListAccesslog        msgID = "consent.list.accesslog"
	msgConsentBackHome             msgID = "consent.back.home"
	msgConsentBackList             msgID = "consent.back.list"
	msgConsentAsksHeading          msgID = "consent.asks.heading"
	msgConsentAsksPeriod           msgID = "consent.asks.period"
	msgConsentAsksReason           msgID = "consent.asks.reason"
	msgConsentAsksAsked            msgID = "consent.asks.asked"
	msgConsentAsksApprove          msgID = "consent.asks.approve"
	msgConsentAsksDecline          msgID = "consent.asks.decline"
	msgConsentActiveHeading        msgID = "consent.active.heading"
	msgConsentActiveNone           msgID = "consent.active.none"
	msgConsentEndedHeading         msgID = "consent.ended.heading"
	msgConsentFieldWhat            msgID = "consent.field.what"
	msgConsentFieldWindow          msgID = "consent.field.window"
	msgConsentFieldPeriod          msgID = "consent.field.period"
	msgConsentWindowBetween        msgID = "consent.window.between"
	msgConsentWindowFrom           msgID = "consent.window.from"
	msgConsentWindowUntil          msgID = "consent.window.until"
	msgConsentPeriodBetween        msgID = "consent.period.between"
	msgConsentPeriodUntilrevoked   msgID = "consent.period.untilrevoked"
	msgConsentStartslater          msgID = "consent.startslater"
	msgConsentRevokeLink           msgID = "consent.revoke.link"
	msgConsentReceiptLink          msgID = "consent.receipt.link"
	msgConsentEndedRevoked         msgID = "consent.ended.revoked"
	msgConsentEndedEnded           msgID = "consent.ended.ended"
	msgConsentEndedExpired         msgID = "consent.ended.expired"
	msgConsentEndMoved             msgID = "consent.end.moved"
	msgConsentEndLeftunit          msgID = "consent.end.leftunit"
	msgConsentEndOther             msgID = "consent.end.other"
	msgConsentGranteeUnknown       msgID = "consent.grantee.unknown"
	msgConsentScopeAllmeasurements msgID = "consent.scope.allmeasurements"
	msgConsentScopeKinds           msgID = "consent.scope.kinds"
	msgConsentScopeAllfiles        msgID = "consent.scope.allfiles"
	msgConsentScopeFiles           msgID = "consent.scope.files"
	msgConsentScopeFilesNamed      msgID = "consent.scope.files.named"
	msgConsentScopeFilesGone       msgID = "consent.scope.files.gone"
	msgConsentScopeAnd             msgID = "consent.scope.and"
	msgConsentFiletypeText         msgID = "consent.filetype.text"
	msgConsentMonths               msgID = "consent.months"
	msgConsentMonthsUntilrevoked   msgID = "consent.months.untilrevoked"
	msgConsentNoticeGiven          msgID = "consent.notice.given"
	msgConsentNoticeApproved       msgID = "consent.notice.approved"
	msgConsentNoticeDeclined       msgID = "consent.notice.declined"
	msgConsentNoticeRevoked        msgID = "consent.notice.revoked"
	msgConsentGiveTitle            msgID = "consent.give.title"
	msgConsentGiveHeading          msgID = "consent.give.heading"
	msgConsentGiveIntro            msgID = "consent.give.intro"
	msgConsentSearchLegend         msgID = "consent.search.legend"
	msgConsentSearchName           msgID = "consent.search.name"
	msgConsentSearchSubmit         msgID = "consent.search.submit"
	msgConsentLegendWho            msgID = "consent.legend.who"
	msgConsentLegendUnits          msgID = "consent.legend.units"
	msgConsentLegendPros           msgID = "consent.legend.pros"
	msgConsentLegendProsFound      msgID = "consent.legend.pros.found"
	msgConsentProsNone             msgID = "consent.pros.none"
	msgConsentLegendWhat           msgID = "consent.legend.what"
	msgConsentWhatAll              msgID = "consent.what.all"
	msgConsentWhatChosen           msgID = "consent.what.chosen"
	msgConsentWhatNone             msgID = "consent.what.none"
	msgConsentLegendFiles          msgID = "consent.legend.files"
	msgConsentFilesNone            msgID = "consent.files.none"
	msgConsentFilesAll             msgID = "consent.files.all"
	msgConsentFilesChosen          msgID = "consent.files.chosen"
	msgConsentLegendFilelist       msgID = "consent.legend.filelist"
	msgConsentFilesEmpty           msgID = "consent.files.empty"
	msgConsentLegendKinds          msgID = "consent.legend.kinds"
	msgConsentLegendWindow         msgID = "consent.legend.window"
	msgConsentHintWindow           msgID = "consent.hint.window"
	msgConsentFieldDatafrom        msgID = "consent.field.datafrom"
	msgConsentFieldDatato          msgID = "consent.field.datato"
	msgConsentLegendPeriod         msgID = "consent.legend.period"
	msgConsentFieldStart           msgID = "consent.field.start"
	msgConsentHintStart            msgID = "consent.hint.start"
	msgConsentGiveSubmit           msgID = "consent.give.submit"
	msgConsentCancel               msgID = "consent.cancel"
	msgConsentErrorTitle           msgID = "consent.error.title"
	msgConsentErrorSummary         msgID = "consent.error.summary"
	msgConsentErrorGrantee         msgID = "consent.error.grantee"
	msgConsentErrorWhat            msgID = "consent.error.what"
	msgConsentErrorNokind          msgID = "consent.error.nokind"
	msgConsentErrorNothing         msgID = "consent.error.nothing"
	msgConsentErrorFiles           msgID = "consent.error.files"
	msgConsentErrorNofile          msgID = "consent.error.nofile"
	msgConsentErrorFileUnknown     msgID = "consent.error.file.unknown"
	msgConsentErrorDate            msgID = "consent.error.date"
	msgConsentErrorWindow          msgID = "consent.error.window"
	msgConsentErrorPeriod          msgID = "consent.error.period"
	msgConsentErrorStart           msgID = "consent.error.start"
	msgConsentConfirmTitle         msgID = "consent.confirm.title"
	msgConsentConfirmHeading       msgID = "consent.confirm.heading"
	msgConsentSentence             msgID = "consent.sentence"
	msgConsentSentenceUntilrevoked msgID = "consent.sentence.untilrevoked"
	msgConsentConfirmRevokable     msgID = "consent.confirm.revokable"
	msgConsentConfirmSubmit        msgID = "consent.confirm.submit"
	msgConsentConfirmChange        msgID = "consent.confirm.change"
	msgConsentApproveTitle         msgID = "consent.approve.title"
	msgConsentApproveHeading       msgID = "consent.approve.heading"
	msgConsentApproveSubmit        msgID = "consent.approve.submit"
	msgConsentRevokeTitle          msgID = "consent.revoke.title"
	msgConsentRevokeHeading        msgID = "consent.revoke.heading"
	msgConsentRevokeQuestion       msgID = "consent.revoke.question"
	msgConsentRevokeEffect         msgID = "consent.revoke.effect"
	msgConsentRevokeSubmit         msgID = "consent.revoke.submit"
)

// consentMessages are the texts of the consent pages, in locales/consent.<lang>.json.
var consentMessages = map[msgID]msgShape{
	msgConsentHomeLink:             plain,
	msgConsentListTitle:            plain,
	msgConsentListHeading:          plain,
	msgConsentListIntro:            plain,
	msgConsentListGive:             plain,
	msgConsentListAccesslog:        plain,
	msgConsentBackHome:             plain,
	msgConsentBackList:             plain,
	msgConsentAsksHeading:          plain,
	msgConsentAsksPeriod:           plain,
	msgConsentAsksReason:           plain,
	msgConsentAsksAsked:            plain,
	msgConsentAsksApprove:          plain,
	msgConsentAsksDecline:          plain,
	msgConsentActiveHeading:        plain,
	msgConsentActiveNone:           plain,
	msgConsentEndedHeading:         plain,
	msgConsentFieldWhat:            plain,
	msgConsentFieldWindow:          plain,
	msgConsentFieldPeriod:          plain,
	msgConsentWindowBetween:        plain,
	msgConsentWindowFrom:           plain,
	msgConsentWindowUntil:          plain,
	msgConsentPeriodBetween:        plain,
	msgConsentPeriodUntilrevoked:   plain,
	msgConsentStartslater:          plain,
	msgConsentRevokeLink:           plain,
	msgConsentReceiptLink:          plain,
	msgConsentEndedRevoked:         plain,
	msgConsentEndedEnded:           plain,
	msgConsentEndedExpired:         plain,
	msgConsentEndMoved:             plain,
	msgConsentEndLeftunit:          plain,
	msgConsentEndOther:             plain,
	msgConsentGranteeUnknown:       plain,
	msgConsentScopeAllmeasurements: plain,
	msgConsentScopeKinds:           plain,
	msgConsentScopeAllfiles:        plain,
	msgConsentScopeFiles:           plural,
	msgConsentScopeFilesNamed:      plain,
	msgConsentScopeFilesGone:       plural,
	msgConsentScopeAnd:             plain,
	msgConsentFiletypeText:         plain,
	msgConsentMonths:               plural,
	msgConsentMonthsUntilrevoked:   plain,
	msgConsentNoticeGiven:          plain,
	msgConsentNoticeApproved:       plain,
	msgConsentNoticeDeclined:       plain,
	msgConsentNoticeRevoked:        plain,
	msgConsentGiveTitle:            plain,
	msgConsentGiveHeading:          plain,
	msgConsentGiveIntro:            plain,
	msgConsentSearchLegend:         plain,
	msgConsentSearchName:           plain,
	msgConsentSearchSubmit:         plain,
	msgConsentLegendWho:            plain,
	msgConsentLegendUnits:          plain,
	msgConsentLegendPros:           plain,
	msgConsentLegendProsFound:      plain,
	msgConsentProsNone:             plain,
	msgConsentLegendWhat:           plain,
	msgConsentWhatAll:              plain,
	msgConsentWhatChosen:           plain,
	msgConsentWhatNone:             plain,
	msgConsentLegendFiles:          plain,
	msgConsentFilesNone:            plain,
	msgConsentFilesAll:             plain,
	msgConsentFilesChosen:          plain,
	msgConsentLegendFilelist:       plain,
	msgConsentFilesEmpty:           plain,
	msgConsentLegendKinds:          plain,
	msgConsentLegendWindow:         plain,
	msgConsentHintWindow:           plain,
	msgConsentFieldDatafrom:        plain,
	msgConsentFieldDatato:          plain,
	msgConsentLegendPeriod:         plain,
	msgConsentFieldStart:           plain,
	msgConsentHintStart:            plain,
	msgConsentGiveSubmit:           plain,
	msgConsentCancel:               plain,
	msgConsentErrorTitle:           plain,
	msgConsentErrorSummary:         plain,
	msgConsentErrorGrantee:         plain,
	msgConsentErrorWhat:            plain,
	msgConsentErrorNokind:          plain,
	msgConsentErrorNothing:         plain,
	msgConsentErrorFiles:           plain,
	msgConsentErrorNofile:          plain,
	msgConsentErrorFileUnknown:     plain,
	msgConsentErrorDate:            plain,
	msgConsentErrorWindow:          plain,
	msgConsentErrorPeriod:          plain,
	msgConsentErrorStart:           plain,
	msgConsentConfirmTitle:         plain,
	msgConsentConfirmHeading:       plain,
	msgConsentSentence:             plain,
	msgConsentSentenceUntilrevoked: plain,
	msgConsentConfirmRevokable:     plain,
	msgConsentConfirmSubmit:        plain,
	msgConsentConfirmChange:        plain,
	msgConsentApproveTitle:         plain,
	msgConsentApproveHeading:       plain,
	msgConsentApproveSubmit:        plain,
	msgConsentRevokeTitle:          plain,
	msgConsentRevokeHeading:        plain,
	msgConsentRevokeQuestion:       plain,
	msgConsentRevokeEffect:         plain,
	msgConsentRevokeSubmit:         plain,
}
