package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/doorstep-survey/doorstep/atomicfile"
)

// FileFor is the config file a setting chosen on the screens is remembered in: --config
// FILE when given, else the per-user one (which need not exist yet); "" when there is no
// per-user config folder.
func FileFor(flags *pflag.FlagSet, lookupEnv func(string) (string, bool)) (string, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	file, _, err := configFile(flags, userDirsFor(runtime.GOOS, lookupEnv))
	return file, err
}

// Remember sets one key in the config file, creating the file (and its folder) when
// there is none, and keeping the file's other keys and comments. It is the one write
// this package does, and only when a person has chosen a value on the screens (the
// reports folder, asked once when there is no Documents folder).
func Remember(file, key, value string) error {
	if !slices.ContainsFunc(settings, func(s setting) bool { return s.key == key }) {
		return fmt.Errorf("config %s: unknown key %q", file, key)
	}
	data, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config %s: %w", file, err)
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if _, err := checkShape(data); err != nil {
			return fmt.Errorf("config %s: %w", file, err)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config %s: %w", file, err)
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, HeadComment: "Doorstep settings; config.example.yaml explains every key.",
			Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		// A file of comments only, or one key-less null document.
		*m = yaml.Node{Kind: yaml.MappingNode, HeadComment: m.HeadComment}
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle}
	set := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			val.LineComment = m.Content[i+1].LineComment
			m.Content[i+1], set = val, true
		}
	}
	if !set {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("config %s: %w", file, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config %s: %w", file, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("config %s: %w", file, err)
	}
	if err := atomicfile.WriteBytes(file, out.Bytes()); err != nil {
		return fmt.Errorf("config %s: %w", file, err)
	}
	return nil
}
