package web

// A person whose data is being moved to another region reads it as before
// but writes nothing (record.ErrMoving): a write ends on an error page of
// its own, and the home page says the move is under way.

// messageHeadings are error pages whose heading follows their message,
// not their status: a write refused during a move is a 409 that is not a
// conflict of versions.
var messageHeadings = map[msgID]msgID{
	msgErrorMoving: msgErrorHeadingMoving,
}

func init() {
	classified[string(msgErrorMoving)] = msgErrorMoving
}
