package web

// Message ids of a move of the person's data to another region
// (docs/regions.md), in locales/moving.<lang>.json: the error page of a
// write refused while the data is being moved, and the home page's notice.
const (
	msgErrorMoving        msgID = "error.moving"
	msgErrorHeadingMoving msgID = "error.heading.moving"
	msgMovingNotice       msgID = "moving.notice"
	msgMovingNoticeReads  msgID = "moving.notice.reads"
)

// movingMessages are the texts of a move, in locales/moving.<lang>.json.
var movingMessages = map[msgID]msgShape{
	msgErrorMoving:        plain,
	msgErrorHeadingMoving: plain,
	msgMovingNotice:       plain,
	msgMovingNoticeReads:  plain,
}
