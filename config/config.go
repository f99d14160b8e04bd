// Package config holds Doorstep's settings: one typed Config, read from flags,
// DOORSTEP_* environment variables, a YAML file and defaults, strongest first.
//
// Load reads and checks settings and nothing more: it creates no folder, opens no
// store and loads no form, so every command can afford to load it. The one write is
// Remember, of a value a person chose on the screens. It never
// reads the process environment or the global viper and pflag state behind its
// caller's back: Load is handed the flag set and the environment lookup, so a
// test can pin both.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is every setting of Doorstep. Each field is a key of the config file
// (config.example.yaml documents them all), a DOORSTEP_ environment variable
// and a flag; the table settings below names them.
type Config struct {
	// DataDir is the folder that holds the encrypted data file.
	DataDir string `mapstructure:"data_dir"`
	// Language is the language of the screens, the read-back and the
	// messages: "zh" or "en".
	Language string `mapstructure:"language"`
	// FormsDir is a folder of form files loaded besides the built-in forms,
	// or empty for none.
	FormsDir string `mapstructure:"forms_dir"`
	// PersonForm and CommunityForm name the forms new records are started with:
	// "id" for its highest version, "id@version" for one version; empty for the
	// built-in 2021 forms (PersonFormName, CommunityFormName). A record keeps the
	// form it was started with whatever these say later.
	PersonForm    string `mapstructure:"person_form"`
	CommunityForm string `mapstructure:"community_form"`
	// PhotosDir is where the photo screen starts looking for the visit's photo
	// (the folder the camera or phone copies into), or empty for the user's
	// Pictures folder.
	PhotosDir string `mapstructure:"photos_dir"`
	// RosterDir is where the roster import starts looking for the district's
	// export, or empty for the user's Documents folder.
	RosterDir string `mapstructure:"roster_dir"`
	// ReportsDir is where reports made on the screens are written, or empty for
	// the user's Documents folder.
	ReportsDir string `mapstructure:"reports_dir"`
	// LockMinutes is how long the screens wait without a key before they lock
	// themselves: whole minutes, 1 to 120; empty for 10. (A string, as every setting
	// comes in as text; LockAfter reads it.)
	LockMinutes string `mapstructure:"lock_minutes"`
	// Plain chooses plain mode for screen readers and braille displays: lines, no
	// redrawn screens. "true" or "false" (also yes/no, 1/0); empty is false. (The
	// ACCESSIBLE=1 convention is honoured by cmd as well.)
	Plain string `mapstructure:"plain"`
	// Theme is the screens' colours: "default" or "high-contrast" (for low vision);
	// empty is default.
	Theme string `mapstructure:"theme"`
}

// PlainMode reports whether the plain mode is chosen.
func (c Config) PlainMode() bool {
	b, _ := parseBool(c.Plain)
	return b
}

// parseBool reads a yes/no setting; ok is false for a value that is neither.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "no", "0", "off":
		return false, true
	case "true", "yes", "1", "on":
		return true, true
	}
	return false, false
}

// Themes are the values of theme.
var Themes = []string{"default", "high-contrast"}

// defaultLockMinutes is the idle time before the screens lock: a visit's pause, not a
// lunch break.
const defaultLockMinutes = 10

// LockAfter is the idle time before the screens lock themselves.
func (c Config) LockAfter() time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(c.LockMinutes))
	if err != nil || n < 1 {
		n = defaultLockMinutes
	}
	return time.Duration(n) * time.Minute
}

// The forms new records are started with when the configuration names none.
const (
	defaultPersonForm    = "person-2021"
	defaultCommunityForm = "community-2021"
)

// PersonFormName is the form new person records are started with.
func (c Config) PersonFormName() string {
	return cmp.Or(strings.TrimSpace(c.PersonForm), defaultPersonForm)
}

// CommunityFormName is the form new village records are started with.
func (c Config) CommunityFormName() string {
	return cmp.Or(strings.TrimSpace(c.CommunityForm), defaultCommunityForm)
}

// defaultLanguage is Chinese: the respondents and most enumerators read it.
const defaultLanguage = "zh"

// A setting is one key of Config with the names it has in each source.
type setting struct {
	key   string // in the config file and Config's mapstructure tag
	usage string // help for the flag; a `QUOTED` word names its value
	// name, when set, is the flag's and the variable's name instead of the key's:
	// the data folder is --data and DOORSTEP_DATA, the one spelling scripts, the
	// README and the server use (data_dir in the file, beside the other *_dir keys).
	name string
	// yesNo is a setting written true or false in the file, without quotes.
	yesNo bool
}

// flag is the setting's flag name: forms_dir is --forms-dir.
func (s setting) flag() string { return strings.ReplaceAll(cmp.Or(s.name, s.key), "_", "-") }

// env is the setting's environment variable: forms_dir is DOORSTEP_FORMS_DIR.
func (s setting) env() string { return "DOORSTEP_" + strings.ToUpper(cmp.Or(s.name, s.key)) }

// retiredEnv are variables once read and read no more, with the one to set instead: a
// script that still sets one is told, rather than quietly using another folder.
var retiredEnv = map[string]string{"DOORSTEP_DATA_DIR": "DOORSTEP_DATA"}

// settings lists every key of Config; a test keeps it in step with the struct.
var settings = []setting{
	{key: "data_dir", name: "data", usage: "keep the encrypted data file in `DIR` (default: doorstep in the per-user data folder)"},
	{key: "language", usage: "show screens, read-back and messages in `LANG`: zh or en (default zh)"},
	{key: "forms_dir", usage: "also load the form files in `DIR`, besides the built-in forms"},
	{key: "person_form", usage: "start new interviews with form `ID` (ID@VERSION for one version; default person-2021)"},
	{key: "community_form", usage: "start new community forms with form `ID` (ID@VERSION for one version; default community-2021)"},
	{key: "photos_dir", usage: "look for the visit's photos in `DIR` first (default: the Pictures folder)"},
	{key: "roster_dir", usage: "look for roster files in `DIR` first (default: the Documents folder)"},
	{key: "reports_dir", usage: "write reports made on the screens into `DIR` (default: the Documents folder)"},
	{key: "lock_minutes", usage: "lock the screens after `N` minutes without a key, 1 to 120 (default 10)"},
	{key: "plain", yesNo: true, usage: "plain mode for screen readers and braille displays: one line a prompt, nothing redrawn (also ACCESSIBLE=1)"},
	{key: "theme", usage: "colours of the screens: default or high-contrast"},
}

// configFlag names the config file. It is a flag but not a setting: a file
// cannot say where the file is.
const configFlag = "config"

// AddFlags defines the flags that Load reads: --config and one flag per
// setting. Call it on the root command's persistent flags.
func AddFlags(fs *pflag.FlagSet) {
	fs.String(configFlag, "", "read settings from `FILE` (default: doorstep/config.yaml in the per-user config folder, if it exists)")
	for _, s := range settings {
		fs.String(s.flag(), "", s.usage)
	}
	// --plain alone means --plain=true.
	fs.Lookup("plain").NoOptDefVal = "true"
}

// Validate reports every setting with a value Doorstep cannot use, in the
// order of the keys. It looks at the values only: whether a folder exists is
// found out by whoever uses it.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &keyError{key: key, problem: fmt.Sprintf(format, args...)})
	}
	if c.DataDir == "" {
		bad("data_dir", "must be set")
	}
	checkFolder(bad, "data_dir", c.DataDir)
	if c.Language != "zh" && c.Language != "en" {
		bad("language", "must be zh or en, not %q", c.Language)
	}
	checkFolder(bad, "forms_dir", c.FormsDir)
	checkFormName(bad, "person_form", c.PersonForm)
	checkFormName(bad, "community_form", c.CommunityForm)
	checkFolder(bad, "photos_dir", c.PhotosDir)
	checkFolder(bad, "roster_dir", c.RosterDir)
	checkFolder(bad, "reports_dir", c.ReportsDir)
	if v := strings.TrimSpace(c.LockMinutes); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 120 {
			bad("lock_minutes", "must be whole minutes from 1 to 120, not %q", c.LockMinutes)
		}
	}
	if _, ok := parseBool(c.Plain); !ok {
		bad("plain", "must be true or false, not %q", c.Plain)
	}
	if c.Theme != "" && !slices.Contains(Themes, c.Theme) {
		bad("theme", "must be one of %s, not %q", strings.Join(Themes, ", "), c.Theme)
	}
	return errors.Join(errs...)
}

func checkFolder(bad func(key, format string, args ...any), key, value string) {
	// Nothing expands ~ here, so "~/survey" would quietly become a folder
	// named "~", which a later "rm -rf ~" turns into a disaster.
	if strings.HasPrefix(value, "~") {
		bad(key, "%q: ~ is not expanded here; write the full path", value)
	}
}

// formNameRE is a form id, optionally with a version: person-2022, person-2022@2022.1.
var formNameRE = regexp.MustCompile(`^[a-z0-9-]+(@[^\s@]+)?$`)

func checkFormName(bad func(key, format string, args ...any), key, value string) {
	if v := strings.TrimSpace(value); v != "" && !formNameRE.MatchString(v) {
		bad(key, "%q is not a form id (like person-2022, or person-2022@2022.1 for one version)", value)
	}
}

// folder is a setting that names a folder.
type folder struct {
	key   string
	value *string
}

// folders lists the settings that name folders: a relative one in the config
// file is relative to the file.
func (c *Config) folders() []folder {
	return []folder{{"data_dir", &c.DataDir}, {"forms_dir", &c.FormsDir}, {"photos_dir", &c.PhotosDir}, {"roster_dir", &c.RosterDir}, {"reports_dir", &c.ReportsDir}}
}

// A keyError is a setting whose value cannot be used. Load prefixes it with
// where the value came from.
type keyError struct {
	key     string
	problem string
}

func (e *keyError) Error() string { return e.key + ": " + e.problem }
