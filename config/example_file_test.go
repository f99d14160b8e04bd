package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// exampleFile is config.example.yaml at the repository root. Tests run in
// the package's folder, so it is one folder up from this file.
var exampleFile = filepath.Join("..", "config.example.yaml")

// TestExampleFile keeps config.example.yaml from drifting: it must load with
// Load, validate, and set and document every key of Config.
func TestExampleFile(t *testing.T) {
	e, _ := testEnv(t)
	cfg, err := Load(parseFlags(t, []string{"--config", exampleFile}), e.lookup)
	if err != nil {
		t.Fatalf("load %s: %v", exampleFile, err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("%s does not validate: %v", exampleFile, err)
	}

	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	comments := make(map[string]string)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		comments[k.Value] = k.HeadComment
	}
	for _, s := range settings {
		comment, ok := comments[s.key]
		if !ok {
			t.Errorf("%s: key %s is missing", exampleFile, s.key)
			continue
		}
		if comment == "" {
			t.Errorf("%s: key %s has no comment above it", exampleFile, s.key)
		}
		for _, name := range []string{s.env(), "--" + s.flag()} {
			if !strings.Contains(comment, name) {
				t.Errorf("%s: the comment on %s does not name %s", exampleFile, s.key, name)
			}
		}
	}
}
