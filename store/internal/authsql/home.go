package authsql

import (
	"fmt"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// SetHomeRegion names to as the person's home region when it is from now:
// arguments to, the person's id, from. It changes no row when the home is
// already to (a rerun) or another region, or there is no such person;
// HomeRefused then tells which, from the person as they are now.
func SetHomeRegion(d sqlq.Dialect) string {
	return d.Rebind(`UPDATE people SET home_region = ? WHERE id = ? AND home_region = ?`)
}

// HomeRefused says why SetHomeRegion changed no row, given the person's
// home region now: nil when it is to already (a rerun), else an error
// wrapping auth.ErrConflict.
func HomeRefused(home, from, to string) error {
	if home == to {
		return nil
	}
	return fmt.Errorf("%w: the home region is %s, not %s", auth.ErrConflict, home, from)
}
