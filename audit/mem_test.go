package audit_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/omahoito/omahoito/audit"
)

// memStore is an audit.Store in memory for the domain's own tests; the
// databases pass the same behaviour in store/storetest.
type memStore struct {
	mu      sync.Mutex
	entries map[string][]audit.Entry
	cps     map[string][]audit.Checkpoint
	fail    error // returned by AppendEntries when set
}

func newMemStore() *memStore {
	return &memStore{entries: map[string][]audit.Entry{}, cps: map[string][]audit.Checkpoint{}}
}

func (m *memStore) AppendEntries(_ context.Context, register string, prev int64, es []audit.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if int64(len(m.entries[register])) != prev {
		return fmt.Errorf("%w: head is %d, not %d", audit.ErrConflict, len(m.entries[register]), prev)
	}
	m.entries[register] = append(m.entries[register], es...)
	return nil
}

func (m *memStore) Head(_ context.Context, register string) (int64, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	es := m.entries[register]
	if len(es) == 0 {
		return 0, nil, nil
	}
	return es[len(es)-1].Seq, es[len(es)-1].Hash, nil
}

func (m *memStore) Entries(_ context.Context, register string, after int64, limit int) ([]audit.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []audit.Entry
	for _, e := range m.entries[register] {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b audit.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

func (m *memStore) PatientEntries(context.Context, audit.Query) ([]audit.Entry, error) {
	return nil, fmt.Errorf("memStore: PatientEntries is tested on the databases")
}

func (m *memStore) PutCheckpoint(_ context.Context, c audit.Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cps[c.Register] = append(m.cps[c.Register], c)
	return nil
}

func (m *memStore) LastCheckpoint(_ context.Context, register string) (audit.Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cs := m.cps[register]
	if len(cs) == 0 {
		return audit.Checkpoint{}, audit.ErrNotFound
	}
	return cs[len(cs)-1], nil
}

func (m *memStore) Registers(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for r := range m.entries {
		out = append(out, r)
	}
	slices.Sort(out)
	return out, nil
}

// with runs fn on register's entries under the lock: the tests tamper so.
func (m *memStore) with(register string, fn func(es []audit.Entry) []audit.Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[register] = fn(m.entries[register])
}
