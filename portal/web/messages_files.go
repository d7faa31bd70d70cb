package web

// Message ids of the citizen's own files, in locales/files.<lang>.json.
const (
	msgFilesHomeLink            msgID = "files.home.link"
	msgFilesListTitle           msgID = "files.list.title"
	msgFilesListIntro           msgID = "files.list.intro"
	msgFilesListAdd             msgID = "files.list.add"
	msgFilesListCaption         msgID = "files.list.caption"
	msgFilesListEmpty           msgID = "files.list.empty"
	msgFilesListUsage           msgID = "files.list.usage"
	msgFilesColFile             msgID = "files.col.file"
	msgFilesColType             msgID = "files.col.type"
	msgFilesColSize             msgID = "files.col.size"
	msgFilesColAdded            msgID = "files.col.added"
	msgFilesTypePdf             msgID = "files.type.pdf"
	msgFilesTypeJpeg            msgID = "files.type.jpeg"
	msgFilesTypePng             msgID = "files.type.png"
	msgFilesTypeHeic            msgID = "files.type.heic"
	msgFilesTypeText            msgID = "files.type.text"
	msgFilesSizeBytes           msgID = "files.size.bytes"
	msgFilesSizeKb              msgID = "files.size.kb"
	msgFilesSizeMb              msgID = "files.size.mb"
	msgFilesNoticeAdded         msgID = "files.notice.added"
	msgFilesNoticeUpdated       msgID = "files.notice.updated"
	msgFilesNoticeDeleted       msgID = "files.notice.deleted"
	msgFilesNewTitle            msgID = "files.new.title"
	msgFilesNewIntro            msgID = "files.new.intro"
	msgFilesNewSubmit           msgID = "files.new.submit"
	msgFilesFieldFile           msgID = "files.field.file"
	msgFilesFieldTitle          msgID = "files.field.title"
	msgFilesFieldDescription    msgID = "files.field.description"
	msgFilesHintTitle           msgID = "files.hint.title"
	msgFilesFormCancel          msgID = "files.form.cancel"
	msgFilesProgressLabel       msgID = "files.progress.label"
	msgFilesProgressSent        msgID = "files.progress.sent"
	msgFilesProgressFailed      msgID = "files.progress.failed"
	msgFilesErrorTitle          msgID = "files.error.title"
	msgFilesErrorSummary        msgID = "files.error.summary"
	msgFilesErrorNofile         msgID = "files.error.nofile"
	msgFilesErrorEmpty          msgID = "files.error.empty"
	msgFilesErrorType           msgID = "files.error.type"
	msgFilesErrorToolarge       msgID = "files.error.toolarge"
	msgFilesErrorQuota          msgID = "files.error.quota"
	msgFilesErrorTitlelong      msgID = "files.error.titlelong"
	msgFilesErrorDesclong       msgID = "files.error.desclong"
	msgFilesErrorConflict       msgID = "files.error.conflict"
	msgFilesErrorDeleteconflict msgID = "files.error.deleteconflict"
	msgFilesErrorGone           msgID = "files.error.gone"
	msgFilesViewName            msgID = "files.view.name"
	msgFilesViewType            msgID = "files.view.type"
	msgFilesViewSize            msgID = "files.view.size"
	msgFilesViewAdded           msgID = "files.view.added"
	msgFilesViewUpdated         msgID = "files.view.updated"
	msgFilesViewDescription     msgID = "files.view.description"
	msgFilesViewDigest          msgID = "files.view.digest"
	msgFilesViewPreview         msgID = "files.view.preview"
	msgFilesViewPreviewof       msgID = "files.view.previewof"
	msgFilesViewHeic            msgID = "files.view.heic"
	msgFilesViewTextcut         msgID = "files.view.textcut"
	msgFilesViewDownload        msgID = "files.view.download"
	msgFilesViewEdit            msgID = "files.view.edit"
	msgFilesViewDelete          msgID = "files.view.delete"
	msgFilesViewBack            msgID = "files.view.back"
	msgFilesEditTitle           msgID = "files.edit.title"
	msgFilesEditIntro           msgID = "files.edit.intro"
	msgFilesEditSubmit          msgID = "files.edit.submit"
	msgFilesDeleteTitle         msgID = "files.delete.title"
	msgFilesDeleteQuestion      msgID = "files.delete.question"
	msgFilesDeleteKeep          msgID = "files.delete.keep"
	msgFilesDeleteSubmit        msgID = "files.delete.submit"
	msgFilesDeleteCancel        msgID = "files.delete.cancel"
)

// filesMessages are the texts of the citizen's own-file pages.
var filesMessages = map[msgID]msgShape{
	msgFilesHomeLink:            plain,
	msgFilesListTitle:           plain,
	msgFilesListIntro:           plain,
	msgFilesListAdd:             plain,
	msgFilesListCaption:         plain,
	msgFilesListEmpty:           plain,
	msgFilesListUsage:           plain,
	msgFilesColFile:             plain,
	msgFilesColType:             plain,
	msgFilesColSize:             plain,
	msgFilesColAdded:            plain,
	msgFilesTypePdf:             plain,
	msgFilesTypeJpeg:            plain,
	msgFilesTypePng:             plain,
	msgFilesTypeHeic:            plain,
	msgFilesTypeText:            plain,
	msgFilesSizeBytes:           plural,
	msgFilesSizeKb:              plain,
	msgFilesSizeMb:              plain,
	msgFilesNoticeAdded:         plain,
	msgFilesNoticeUpdated:       plain,
	msgFilesNoticeDeleted:       plain,
	msgFilesNewTitle:            plain,
	msgFilesNewIntro:            plain,
	msgFilesNewSubmit:           plain,
	msgFilesFieldFile:           plain,
	msgFilesFieldTitle:          plain,
	msgFilesFieldDescription:    plain,
	msgFilesHintTitle:           plain,
	msgFilesFormCancel:          plain,
	msgFilesProgressLabel:       plain,
	msgFilesProgressSent:        plain,
	msgFilesProgressFailed:      plain,
	msgFilesErrorTitle:          plain,
	msgFilesErrorSummary:        plain,
	msgFilesErrorNofile:         plain,
	msgFilesErrorEmpty:          plain,
	msgFilesErrorType:           plain,
	msgFilesErrorToolarge:       plain,
	msgFilesErrorQuota:          plain,
	msgFilesErrorTitlelong:      plain,
	msgFilesErrorDesclong:       plain,
	msgFilesErrorConflict:       plain,
	msgFilesErrorDeleteconflict: plain,
	msgFilesErrorGone:           plain,
	msgFilesViewName:            plain,
	msgFilesViewType:            plain,
	msgFilesViewSize:            plain,
	msgFilesViewAdded:           plain,
	msgFilesViewUpdated:         plain,
	msgFilesViewDescription:     plain,
	msgFilesViewDigest:          plain,
	msgFilesViewPreview:         plain,
	msgFilesViewPreviewof:       plain,
	msgFilesViewHeic:            plain,
	msgFilesViewTextcut:         plain,
	msgFilesViewDownload:        plain,
	msgFilesViewEdit:            plain,
	msgFilesViewDelete:          plain,
	msgFilesViewBack:            plain,
	msgFilesEditTitle:           plain,
	msgFilesEditIntro:           plain,
	msgFilesEditSubmit:          plain,
	msgFilesDeleteTitle:         plain,
	msgFilesDeleteQuestion:      plain,
	msgFilesDeleteKeep:          plain,
	msgFilesDeleteSubmit:        plain,
	msgFilesDeleteCancel:        plain,
}
