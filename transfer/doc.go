// Package transfer is the moving of a person's record from one region's
// register to another's when they move (DESIGN §12, docs/regions.md): the
// request an operator makes and its rules, the file of personal identity
// codes an operator may give, and the steps of a transfer. It knows no
// HTTP and no SQL; the stores and the job runner come from outside.
package transfer
