package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Load reads the settings, strongest source first:
//
//  1. flags set in flags (defined by AddFlags; nil for none);
//  2. environment variables DOORSTEP_DATA, DOORSTEP_LANGUAGE,
//     DOORSTEP_FORMS_DIR and so on, read with lookupEnv (nil means os.LookupEnv); an
//     empty variable counts as unset;
//  3. the config file: --config FILE, which must then exist, or else
//     doorstep/config.yaml in the per-user config folder (os.UserConfigDir)
//     if it is there;
//  4. defaults.
//
// An empty value means the default. A relative folder in the config file is
// relative to the file's folder, so a file means the same wherever doorstep is
// started from. The result is validated; an error names where the bad value
// came from: the file and line, the variable or the flag.
func Load(flags *pflag.FlagSet, lookupEnv func(string) (string, bool)) (Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	dirs := userDirsFor(runtime.GOOS, lookupEnv)
	v := viper.New()
	from := make(map[string]origin, len(settings))

	file, explicit, err := configFile(flags, dirs)
	if err != nil {
		return Config{}, err
	}
	if file != "" {
		data, lines, err := readFile(file, explicit)
		if err != nil {
			return Config{}, err
		}
		if data != nil {
			v.SetConfigType("yaml")
			if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
				return Config{}, fmt.Errorf("config %s: %w", file, err)
			}
		}
		for key, line := range lines {
			from[key] = origin{file: file, line: line}
		}
	}

	// viper reads the environment only through os.LookupEnv, so the
	// variables are looked up here and laid over the file's values: viper
	// still puts flags above both.
	for old, now := range retiredEnv {
		if val, ok := lookupEnv(old); ok && val != "" {
			return Config{}, fmt.Errorf("environment %s is no longer read: set %s instead", old, now)
		}
	}
	vars := make(map[string]any)
	for _, s := range settings {
		if val, ok := lookupEnv(s.env()); ok && val != "" {
			vars[s.key] = val
			from[s.key] = origin{env: s.env()}
		}
	}
	if err := v.MergeConfigMap(vars); err != nil {
		return Config{}, fmt.Errorf("config: environment: %w", err)
	}

	if flags != nil {
		for _, s := range settings {
			f := flags.Lookup(s.flag())
			if f == nil {
				return Config{}, fmt.Errorf("config: flag --%s is not defined (AddFlags defines it)", s.flag())
			}
			if err := v.BindPFlag(s.key, f); err != nil {
				return Config{}, fmt.Errorf("config: bind flag --%s: %w", s.flag(), err)
			}
			if f.Changed {
				from[s.key] = origin{flag: s.flag()}
			}
		}
	}

	var c Config
	// readFile has already refused unknown keys and values that are not
	// text, with their lines; ErrorUnused and strict typing stay on as the
	// backstop should a key ever reach viper some other way.
	strict := viper.DecoderConfigOption(func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
		dc.WeaklyTypedInput = false
		// A yes/no setting written true or false (readFile lets only those through)
		// is kept as the text every setting is.
		dc.DecodeHook = func(from, to reflect.Type, v any) (any, error) {
			if b, ok := v.(bool); ok && from.Kind() == reflect.Bool && to.Kind() == reflect.String {
				return strconv.FormatBool(b), nil
			}
			return v, nil
		}
	})
	if err := v.Unmarshal(&c, strict); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}

	if c.Language == "" {
		c.Language = defaultLanguage
	}
	if c.DataDir == "" {
		if dirs.dataErr != nil {
			return Config{}, fmt.Errorf("data_dir: not set, and there is no per-user data folder to put it in (%v); set --data, DOORSTEP_DATA or data_dir in the config file", dirs.dataErr)
		}
		c.DataDir = filepath.Join(dirs.data, "doorstep")
	}

	if err := c.Validate(); err != nil {
		return Config{}, explain(err, from)
	}

	for _, f := range c.folders() {
		if *f.value == "" {
			continue
		}
		if o := from[f.key]; o.file != "" && !filepath.IsAbs(*f.value) {
			*f.value = filepath.Join(filepath.Dir(o.file), *f.value)
		}
		*f.value = filepath.Clean(*f.value)
	}
	return c, nil
}

// configFile returns the config file to read, and whether it was asked for
// with --config (then it must exist). It returns "" when there is none to try.
func configFile(flags *pflag.FlagSet, dirs userDirs) (file string, explicit bool, err error) {
	if flags != nil {
		if f := flags.Lookup(configFlag); f != nil && f.Changed {
			if f.Value.String() == "" {
				return "", false, errors.New("--config: empty file name")
			}
			return f.Value.String(), true, nil
		}
	}
	if dirs.configErr != nil {
		// No per-user folder, so no default file: defaults and the other
		// sources still make a valid config.
		return "", false, nil
	}
	return filepath.Join(dirs.config, "doorstep", "config.yaml"), false, nil
}

// readFile reads a config file and checks its shape: one mapping from known
// keys to text. It returns the file's bytes (nil when a default file is
// absent or the file holds no settings) and the line of each key that has a
// value. Every error names the file.
func readFile(name string, explicit bool) (data []byte, lines map[string]int, err error) {
	data, err = os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil, nil, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// The PathError repeats the file name the prefix gives.
			return nil, nil, fmt.Errorf("config %s: %w", name, pe.Err)
		}
		return nil, nil, fmt.Errorf("config %s: %w", name, err)
	}
	lines, err = checkShape(data)
	if err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", name, err)
	}
	if len(lines) == 0 {
		return nil, nil, nil
	}
	return data, lines, nil
}

// checkShape parses a config file and checks what viper would accept
// silently: unknown or misspelt keys, keys given twice, and values that are
// lists, maps or numbers where text is expected.
func checkShape(data []byte) (map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil // empty or only comments
	} else if err != nil {
		return nil, yamlError(err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, fmt.Errorf("line %d: a second YAML document; a config file holds one", second.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(err)
	}

	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil // "---" alone
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: expected settings such as \"language: zh\", found %s", root.Line, describe(root))
	}

	known := make(map[string]bool, len(settings))
	yesNo := make(map[string]bool)
	for _, s := range settings {
		known[s.key] = true
		yesNo[s.key] = s.yesNo
	}
	seen := make(map[string]int)
	lines := make(map[string]int)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, val := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || !known[k.Value] {
			return nil, unknownKey(k)
		}
		if first, ok := seen[k.Value]; ok {
			return nil, fmt.Errorf("line %d: %s: set twice (first at line %d)", k.Line, k.Value, first)
		}
		seen[k.Value] = k.Line
		for val.Kind == yaml.AliasNode && val.Alias != nil {
			val = val.Alias
		}
		switch {
		case val.Kind == yaml.ScalarNode && val.Tag == "!!null":
			// "data_dir:" with nothing after it means the default.
		case val.Kind == yaml.ScalarNode && (val.Tag == "!!str" || val.Tag == "!!bool" && yesNo[k.Value]):
			lines[k.Value] = k.Line
		case val.Kind == yaml.ScalarNode:
			return nil, fmt.Errorf("line %d: %s: must be text, not %s; put it in quotes if you mean the text %q", val.Line, k.Value, describe(val), val.Value)
		default:
			return nil, fmt.Errorf("line %d: %s: must be text, not %s", val.Line, k.Value, describe(val))
		}
	}
	return lines, nil
}

// yamlError drops the "yaml: " prefix: the caller says it is the config file.
func yamlError(err error) error {
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	case "!!timestamp":
		return "a date"
	case "!!str":
		return "text"
	}
	return n.Tag
}

// unknownKey explains a key that is not a setting, with the setting it most
// likely meant.
func unknownKey(k *yaml.Node) error {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.key
	}
	if k.Kind == yaml.ScalarNode {
		if guess := closest(k.Value, keys); guess != "" {
			return fmt.Errorf("line %d: unknown key %q; did you mean %q?", k.Line, k.Value, guess)
		}
	}
	return fmt.Errorf("line %d: unknown key %q; the keys are %s", k.Line, k.Value, strings.Join(keys, ", "))
}

// closest returns the key that name most likely misspells, or "". It forgives
// case, the DOORSTEP_ prefix and dashes (the spellings of the same setting as
// a variable or a flag), a beginning ("lang" for language) and two typos.
func closest(name string, keys []string) string {
	n := strings.ToLower(name)
	n = strings.TrimPrefix(n, "doorstep_")
	n = strings.TrimLeft(n, "-")
	n = strings.ReplaceAll(n, "-", "_")
	best, bestDist := "", 3
	for _, k := range keys {
		if n == k || (len(n) >= 3 && strings.HasPrefix(k, n)) {
			return k
		}
		if d := editDistance(n, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes: keys are
// ASCII, and a non-ASCII guess is far from all of them anyway.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// origin is where a setting's value came from; the zero value is the default.
type origin struct {
	flag string // flag name, without dashes
	env  string // variable name
	file string
	line int
}

// explain prefixes each of Validate's complaints with where the bad value
// came from, so the person fixes the right file, variable or flag.
func explain(err error, from map[string]origin) error {
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		var ke *keyError
		if !errors.As(e, &ke) {
			out = append(out, e)
			continue
		}
		switch o := from[ke.key]; {
		case o.flag != "":
			out = append(out, fmt.Errorf("--%s: %s", o.flag, ke.problem))
		case o.env != "":
			out = append(out, fmt.Errorf("environment %s: %s", o.env, ke.problem))
		case o.file != "":
			out = append(out, fmt.Errorf("config %s: line %d: %w", o.file, o.line, e))
		default:
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}
