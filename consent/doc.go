// Package consent holds a citizen's grants to professionals and care units,
// the pure access decision Decide, and the Service that implements
// record.Access: it loads the grants in force, decides once per request,
// narrows what a permitted request may see, and writes the access log.
// It also holds professionals' requests for consent, which a citizen
// approves into a grant or declines. No HTTP, no SQL.
package consent
