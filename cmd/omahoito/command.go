package main

import (
	"fmt"
	"io"
)

// runConfigured is the end every operator's command shares: the
// configuration from configPath (its data directory replaced by data when
// given) with its defaults, then run; an error is one line on stderr
// after the command's name, and exit status 1.
func runConfigured(name, configPath, data string, stderr io.Writer, run func(Config) error) int {
	cfg, err := loadConfig(configPath)
	if err == nil {
		if data != "" {
			cfg.DataDir = data
		}
		cfg.applyDefaults()
		err = run(cfg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "omahoito %s: %s\n", name, oneLine(err))
		return 1
	}
	return 0
}
