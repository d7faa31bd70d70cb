package auditsql

import (
	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// ImportedSource selects whether register has imported the entry of a
// source: arguments register, source register, source seq.
func ImportedSource(d sqlq.Dialect) string {
	return d.Rebind(`SELECT count(*) FROM audit_imported WHERE register = ? AND source_register = ? AND source_seq = ?`)
}

// InsertImported records the source of the imported entry e.
func InsertImported(d sqlq.Dialect, e audit.Entry, src audit.Source) (string, []any) {
	return d.Rebind(`INSERT INTO audit_imported (register, seq, source_register, source_seq, source_hash)
		VALUES (?, ?, ?, ?, ?)`), []any{e.Register, e.Seq, src.Register, src.Seq, src.Hash}
}

// Counter runs a count(*) query.
type Counter func(query string, args ...any) (int64, error)

// NotImported keeps the entries (and their sources) of es whose source
// register has not imported yet, each source once.
func NotImported(d sqlq.Dialect, register string, es []audit.Entry, sources []audit.Source, count Counter) ([]audit.Entry, []audit.Source, error) {
	var keepE []audit.Entry
	var keepS []audit.Source
	type key struct {
		register string
		seq      int64
	}
	seen := map[key]bool{}
	for i, src := range sources {
		key := key{src.Register, src.Seq}
		if seen[key] {
			continue
		}
		seen[key] = true
		n, err := count(ImportedSource(d), register, src.Register, src.Seq)
		if err != nil {
			return nil, nil, err
		}
		if n == 0 {
			keepE, keepS = append(keepE, es[i]), append(keepS, src)
		}
	}
	return keepE, keepS, nil
}
