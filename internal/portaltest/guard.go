package portaltest

import (
	"context"
	"sync"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// Calls records which store methods a request reached.
type Calls struct {
	mu    sync.Mutex
	names []string
}

func (c *Calls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = append(c.names, name)
}

// Take returns the calls so far and forgets them.
func (c *Calls) Take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.names
	c.names = nil
	return out
}

// RecordGuard is a record.Store that notes every call before passing it on.
type RecordGuard struct {
	record.Store
	Calls *Calls
}

var _ record.Store = RecordGuard{}

// CreateMeasurements notes the call and passes it on.
func (g RecordGuard) CreateMeasurements(ctx context.Context, ms []record.Measurement) (map[int]record.Measurement, error) {
	g.Calls.add("CreateMeasurements")
	return g.Store.CreateMeasurements(ctx, ms)
}

// Measurement notes the call and passes it on.
func (g RecordGuard) Measurement(ctx context.Context, personID, id string) (record.Measurement, error) {
	g.Calls.add("Measurement")
	return g.Store.Measurement(ctx, personID, id)
}

// MeasurementOwner notes the call and passes it on.
func (g RecordGuard) MeasurementOwner(ctx context.Context, id string) (string, error) {
	g.Calls.add("MeasurementOwner")
	return g.Store.MeasurementOwner(ctx, id)
}

// UpdateMeasurement notes the call and passes it on.
func (g RecordGuard) UpdateMeasurement(ctx context.Context, m record.Measurement) error {
	g.Calls.add("UpdateMeasurement")
	return g.Store.UpdateMeasurement(ctx, m)
}

// MeasurementHistory notes the call and passes it on.
func (g RecordGuard) MeasurementHistory(ctx context.Context, personID, id string) ([]record.Measurement, error) {
	g.Calls.add("MeasurementHistory")
	return g.Store.MeasurementHistory(ctx, personID, id)
}

// SearchMeasurements notes the call and passes it on.
func (g RecordGuard) SearchMeasurements(ctx context.Context, q record.Query) ([]record.Measurement, error) {
	g.Calls.add("SearchMeasurements")
	return g.Store.SearchMeasurements(ctx, q)
}

// CountMeasurements notes the call and passes it on.
func (g RecordGuard) CountMeasurements(ctx context.Context, q record.Query) (int, error) {
	g.Calls.add("CountMeasurements")
	return g.Store.CountMeasurements(ctx, q)
}

// LatestMeasurements notes the call and passes it on.
func (g RecordGuard) LatestMeasurements(ctx context.Context, personID string, scope record.Scope) ([]record.Measurement, error) {
	g.Calls.add("LatestMeasurements")
	return g.Store.LatestMeasurements(ctx, personID, scope)
}

// PeopleGuard is an auth.Store whose reads of people are noted: a person's
// demographics are their data too. The directory passes through unnoted.
type PeopleGuard struct {
	auth.Store
	Calls *Calls
}

// PersonByHetuKey notes the call and passes it on.
func (g PeopleGuard) PersonByHetuKey(ctx context.Context, key []byte) (auth.SealedPerson, error) {
	g.Calls.add("PersonByHetuKey")
	return g.Store.PersonByHetuKey(ctx, key)
}

// PersonByID notes the call and passes it on.
func (g PeopleGuard) PersonByID(ctx context.Context, id string) (auth.SealedPerson, error) {
	g.Calls.add("PersonByID")
	return g.Store.PersonByID(ctx, id)
}

// DenyAll is an Access that refuses every request and counts the questions.
type DenyAll struct{ Asked *Calls }

var _ record.Access = DenyAll{}

// Decide refuses.
func (d DenyAll) Decide(_ context.Context, req record.Request) (record.Decision, error) {
	d.Asked.add(string(req.Action) + " " + string(req.Class))
	return record.Decision{}, record.ErrDenied
}

// Done is never reached after a refusal.
func (DenyAll) Done(context.Context, record.Request, record.Decision) error { return nil }
