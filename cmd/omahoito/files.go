package main

// This file is the citizens' own files as the process runs them: the
// settings, the master keys, the bucket and the sweeper (DESIGN §11).

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
)

const (
	// filesSweepEvery is how often serve sweeps the bucket.
	filesSweepEvery = 10 * time.Minute
	// defaultSweepGrace is how old content no record names must be before
	// it is swept: far longer than any upload takes to reach its record.
	defaultSweepGrace = time.Hour
	// minSweepGrace keeps the sweeper away from uploads in progress.
	minSweepGrace = time.Minute
	// openBucketTimeout bounds the reachability check at start, so an
	// unreachable S3 endpoint refuses the start instead of hanging it.
	openBucketTimeout = 30 * time.Second
	// devMasterKeyFile is the development master key under the data directory.
	devMasterKeyFile = "files-master.key"
)

// filesEnv applies the files' environment variables.
func (cfg *Config) filesEnv() error {
	envOverride(&cfg.FilesURL, "OMAHOITO_FILES_URL")
	envOverride(&cfg.FilesMasterKeyCurrent, "OMAHOITO_FILES_MASTER_KEY_CURRENT")
	envOverride(&cfg.FilesSweepGrace, "OMAHOITO_FILES_SWEEP_GRACE")
	if err := envInt64(&cfg.FileMaxSize, "OMAHOITO_FILE_MAX_SIZE", "file_max_size"); err != nil {
		return err
	}
	return envInt64(&cfg.PersonMaxSize, "OMAHOITO_PERSON_MAX_SIZE", "person_max_size")
}

// envInt64 sets *field from the variable name when it is set; a value that
// is not a whole number is refused.
func envInt64(field *int64, name, setting string) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s (%s) must be a whole number of bytes, not %q", errConfig, setting, name, v)
	}
	*field = n
	return nil
}

// checkFiles refuses file settings out of range before anything is opened.
func (cfg Config) checkFiles() error {
	if _, err := cfg.fileLimits(); err != nil {
		return err
	}
	_, err := cfg.sweepGrace()
	return err
}

// fileLimits are file_max_size and person_max_size, the defaults for
// those not set; a file may not be larger than all of a person's files.
func (cfg Config) fileLimits() (record.Limits, error) {
	lim := record.DefaultLimits()
	for _, s := range []struct {
		name  string
		value int64
		field *int64
	}{{"file_max_size", cfg.FileMaxSize, &lim.MaxFileSize}, {"person_max_size", cfg.PersonMaxSize, &lim.MaxPersonSize}} {
		if s.value < 0 {
			return lim, fmt.Errorf("%w: %s must be more than 0 bytes (0 or unset: the default %d), not %d", errConfig, s.name, *s.field, s.value)
		}
		if s.value > 0 {
			*s.field = s.value
		}
	}
	if lim.MaxFileSize > lim.MaxPersonSize {
		return lim, fmt.Errorf("%w: file_max_size %d is more than person_max_size %d; one file cannot be larger than all of a person's files", errConfig, lim.MaxFileSize, lim.MaxPersonSize)
	}
	return lim, nil
}

// sweepGrace is files_sweep_grace, default an hour.
func (cfg Config) sweepGrace() (time.Duration, error) {
	if cfg.FilesSweepGrace == "" {
		return defaultSweepGrace, nil
	}
	d, err := time.ParseDuration(cfg.FilesSweepGrace)
	if err != nil || d < minSweepGrace {
		return 0, fmt.Errorf("%w: files_sweep_grace is %q; give a duration of at least %s, such as 1h", errConfig, cfg.FilesSweepGrace, minSweepGrace)
	}
	return d, nil
}

// filesURL is files_url, else the development bucket under the data
// directory: created 0700, as are the directories fileblob makes in it.
func (cfg Config) filesURL() (string, error) {
	if cfg.FilesURL != "" {
		return cfg.FilesURL, nil
	}
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "files"))
	if err != nil {
		return "", fmt.Errorf("%w: files_url: the data directory: %v", errConfig, err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(dir), RawQuery: "create_dir=1&dir_file_mode=0700"}
	return u.String(), nil
}

// bucketDir is the directory of a file:// bucket URL (as fileblob reads
// it: host "." means relative), or "" for any other URL.
func bucketDir(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	if u.Host == "." {
		return filepath.FromSlash(strings.TrimPrefix(u.Path, "/"))
	}
	return filepath.FromSlash(u.Path)
}

// masterKeys is the ring of files_master_keys; with none configured, the
// key generated once under the data directory. generated tells which.
func masterKeys(cfg Config) (ring *blob.MasterKeys, generated bool, err error) {
	if len(cfg.FilesMasterKeys) > 0 {
		ring, err = configuredMasterKeys(cfg)
		return ring, false, err
	}
	if err := secureDataDir(cfg.DataDir, true); err != nil {
		return nil, false, err
	}
	id, key, err := blob.LoadOrCreateMasterKey(filepath.Join(cfg.DataDir, devMasterKeyFile))
	if err != nil {
		return nil, false, fmt.Errorf("%w: files master key: %v", errConfig, err)
	}
	ring, err = blob.NewMasterKeys(id, map[string][]byte{id: key})
	return ring, true, err
}

// configuredMasterKeys reads every key of files_master_keys: each must be
// there, private and well formed, or nothing starts.
func configuredMasterKeys(cfg Config) (*blob.MasterKeys, error) {
	keys := make(map[string][]byte, len(cfg.FilesMasterKeys))
	var ids []string
	for i, mk := range cfg.FilesMasterKeys {
		id, key, err := readMasterKey(mk)
		if err != nil {
			return nil, fmt.Errorf("%w: files_master_keys #%d: %v", errConfig, i+1, err)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("%w: files_master_keys: id %s is listed twice", errConfig, id)
		}
		keys[id] = key
		ids = append(ids, id)
	}
	current := cfg.FilesMasterKeyCurrent
	if current == "" && len(ids) == 1 {
		current = ids[0]
	}
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("%w: files_master_key_current is %q; name one of the files_master_keys ids: %s", errConfig, current, strings.Join(ids, ", "))
	}
	return blob.NewMasterKeys(current, keys)
}

// readMasterKey reads one configured key and its id. A key file open to
// group or others is refused, not corrected: it is the operator's file,
// and whoever can read it can read every file.
func readMasterKey(mk MasterKeyConfig) (id string, key []byte, err error) {
	if mk.KeyFile == "" {
		return "", nil, errors.New("key_file is empty")
	}
	fi, err := os.Stat(mk.KeyFile)
	if err != nil {
		return "", nil, fmt.Errorf("key_file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", nil, fmt.Errorf("key_file %s has mode %04o, open to group or others; make it readable by omahoito's user only (chmod 600)", mk.KeyFile, perm)
	}
	raw, err := os.ReadFile(mk.KeyFile)
	if err != nil {
		return "", nil, fmt.Errorf("key_file: %w", err)
	}
	if key, err = blob.ParseMasterKey(string(raw)); err != nil {
		return "", nil, fmt.Errorf("key_file %s: %w", mk.KeyFile, err)
	}
	if id = mk.ID; id == "" {
		id = blob.MasterKeyID(key)
	}
	return id, key, nil
}

// openBucket opens files_url with the ring, and checks that the process
// can reach it. A file:// bucket must be private: the default one (ours)
// is made so at every start, a configured one open to others is refused.
func openBucket(ctx context.Context, cfg Config, ring *blob.MasterKeys) (*blob.Store, error) {
	raw, err := cfg.filesURL()
	if err != nil {
		return nil, err
	}
	dir := bucketDir(raw)
	if dir != "" && cfg.FilesURL == "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("%w: files_url: %v", errConfig, err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("%w: files_url: make the files directory private: %v", errConfig, err)
		}
	}
	octx, cancel := context.WithTimeout(ctx, openBucketTimeout)
	defer cancel()
	s, err := blob.Open(octx, raw, ring)
	if err != nil {
		return nil, fmt.Errorf("%w: files_url (OMAHOITO_FILES_URL): %v", errConfig, err)
	}
	if dir != "" {
		if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
			s.Close()
			return nil, fmt.Errorf("%w: files_url: directory %s has mode %04o, open to group or others; make it private (chmod 700)", errConfig, dir, fi.Mode().Perm())
		}
	}
	return s, nil
}

// wireFiles opens the master keys and the bucket and builds the files
// service, the consent service its gate.
func (a *app) wireFiles(ctx context.Context, cfg Config, dev bool, store storage, consents *consent.Service) error {
	limits, err := cfg.fileLimits()
	if err != nil {
		return err
	}
	if a.sweepGrace, err = cfg.sweepGrace(); err != nil {
		return err
	}
	if !dev && len(cfg.FilesMasterKeys) == 0 {
		return fmt.Errorf("%w: files_master_keys is required when real issuers are configured: a key generated under the data directory would be lost with it, and every file with it", errConfig)
	}
	ring, _, err := masterKeys(cfg)
	if err != nil {
		return err
	}
	bucket, err := openBucket(ctx, cfg, ring)
	if err != nil {
		return err
	}
	a.closers = append(a.closers, func() { _ = bucket.Close() })
	a.content = bucket
	a.files = &record.Files{Store: store, Content: blob.RecordContent{Store: bucket}, Access: consents, Limits: limits}
	return nil
}

// startSweeper sweeps the bucket now and then every every, until ctx ends
// or the app closes (which waits for a sweep under way, so the bucket is
// not closed beneath it): content no record names, older than the grace,
// is removed; a promotion cut short is finished.
func (a *app) startSweeper(ctx context.Context, every time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			a.sweep(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	a.closers = append(a.closers, func() { cancel(); <-done })
}

// sweep runs one sweep and logs one line.
func (a *app) sweep(ctx context.Context) {
	known := func(keys []string) (map[string]bool, error) { return a.store.ContentKeys(ctx, keys) }
	removed, err := a.content.Sweep(ctx, time.Now().Add(-a.sweepGrace), known)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("files sweep", "removed", removed, "err", err)
	case err == nil:
		a.log.Info("files swept", "removed", removed, "grace", a.sweepGrace.String())
	}
}
