package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
)

const keysUsage = `usage: omahoito keys rotate [--data DIR] [--config FILE]

rotate rewraps the data key of every file still wrapped by a master key
of files_master_keys other than files_master_key_current, so that the
current key alone reads every file. The content in the bucket is not
touched. It works in batches of 500 files, each committed on its own:
run it again after an interruption, and it continues (a run with nothing
left prints 0). Exit status: 0 done, 1 an error, 2 usage.

To rotate: add the new key to files_master_keys, name it in
files_master_key_current, restart serve (new files then use it), run
omahoito keys rotate; the old key can then leave the configuration.
`

// rewrapBatch is how many files one transaction of a rotation rewraps.
const rewrapBatch = 500

// runKeysCommand runs "omahoito keys ..." (args after "keys") and returns
// the exit code.
func runKeysCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprint(stderr, keysUsage)
		return 2
	}
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, keysUsage) }
	data := fs.String("data", "", "data directory for SQLite and the development keys (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, keysUsage)
		return 2
	}
	return runConfigured("keys rotate", *configPath, *data, stderr, func(cfg Config) error {
		return keysRotate(ctx, cfg, stdout)
	})
}

// keysRotate rewraps, for each master key of the ring but the current
// one, the data keys it still wraps.
func keysRotate(ctx context.Context, cfg Config, stdout io.Writer) error {
	if len(cfg.FilesMasterKeys) == 0 {
		fmt.Fprintf(stdout, "nothing to rotate: files_master_keys is not configured, so files use the development key %s alone. "+
			"To rotate, list it and a new key in files_master_keys, name the new one in files_master_key_current, and run this again.\n",
			filepath.Join(cfg.DataDir, devMasterKeyFile))
		return nil
	}
	ring, _, err := masterKeys(cfg)
	if err != nil {
		return err
	}
	var old []string
	for _, mk := range cfg.FilesMasterKeys {
		if id, _, err := readMasterKey(mk); err == nil && id != ring.Current() {
			old = append(old, id)
		}
	}
	if len(old) == 0 {
		fmt.Fprintf(stdout, "nothing to rotate: files_master_keys holds only the current key %s. "+
			"To rotate, add a new key, name it in files_master_key_current, and run this again.\n", ring.Current())
		return nil
	}
	a := &app{}
	defer a.Close()
	store, err := a.openStorage(ctx, cfg)
	if err != nil {
		return err
	}
	for _, from := range old {
		n, err := rewrapFrom(ctx, store, ring, from, stdout)
		if err != nil {
			return fmt.Errorf("from %s to %s, after %d files: %w", from, ring.Current(), n, err)
		}
		fmt.Fprintf(stdout, "rewrapped %d files from %s to %s\n", n, from, ring.Current())
	}
	return nil
}

// rewrapFrom rewraps every data key master key from wraps under the
// current key, printing a line as each batch of rewrapBatch is committed:
// the store commits a batch before it asks for the next batch's first key.
func rewrapFrom(ctx context.Context, store record.FileStore, ring *blob.MasterKeys, from string, stdout io.Writer) (int, error) {
	wrapped := 0
	return store.RewrapDataKeys(ctx, from, rewrapBatch, func(old []byte) ([]byte, string, error) {
		if wrapped > 0 && wrapped%rewrapBatch == 0 {
			fmt.Fprintf(stdout, "  %s -> %s: %d files rewrapped so far\n", from, ring.Current(), wrapped)
		}
		wrapped++
		return ring.Rewrap(old, from)
	})
}
