package config

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// env is a fake environment for Load.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// testEnv returns an environment whose per-user folders are all inside a
// fresh temporary folder, and that folder. Nothing the real user has can leak
// into a test.
func testEnv(t *testing.T) (env, string) {
	t.Helper()
	home := t.TempDir()
	return env{
		"HOME":         home,
		"home":         home,
		"AppData":      filepath.Join(home, "AppData", "Roaming"),
		"LocalAppData": filepath.Join(home, "AppData", "Local"),
	}, home
}

func parseFlags(t *testing.T, args []string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("doorstep", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse flags %q: %v", args, err)
	}
	return fs
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	// In the table, {tmp} is the temporary home (with forward slashes, which
	// YAML and every system accept), {userconf} the folder of the default
	// config file, {data} the default data folder, and {explicit} a file
	// written with the case's explicit content.
	tests := []struct {
		name     string
		userFile string // the default config file, if not empty
		explicit string // the file {explicit}
		env      env
		args     []string
		want     Config
		wantErr  []string // substrings of the error
	}{
		{
			name: "defaults; default file absent is fine",
			want: Config{DataDir: "{data}", Language: "zh"},
		},
		{
			name:     "default file",
			userFile: "data_dir: {tmp}/survey\nlanguage: en\nforms_dir: forms\n",
			want:     Config{DataDir: "{tmp}/survey", Language: "en", FormsDir: "{userconf}/forms"},
		},
		{
			name:     "explicit file is read instead of the default one",
			userFile: "language: zh\n",
			explicit: "language: en\ndata_dir: data\n",
			args:     []string{"--config", "{explicit}"},
			want:     Config{DataDir: "{tmp}/data", Language: "en"},
		},
		{
			name:     "env beats file",
			userFile: "language: en\ndata_dir: {tmp}/from-file\n",
			env:      env{"DOORSTEP_LANGUAGE": "zh", "DOORSTEP_DATA": "{tmp}/from-env"},
			want:     Config{DataDir: "{tmp}/from-env", Language: "zh"},
		},
		{
			name:     "flag beats env",
			userFile: "forms_dir: {tmp}/f1\n",
			env:      env{"DOORSTEP_LANGUAGE": "zh", "DOORSTEP_FORMS_DIR": "{tmp}/f2"},
			args:     []string{"--language=en", "--forms-dir", "{tmp}/f3"},
			want:     Config{DataDir: "{data}", Language: "en", FormsDir: "{tmp}/f3"},
		},
		{
			name:     "empty env counts as unset",
			userFile: "language: en\n",
			env:      env{"DOORSTEP_LANGUAGE": ""},
			want:     Config{DataDir: "{data}", Language: "en"},
		},
		{
			name:     "empty flag means the default",
			userFile: "language: en\n",
			args:     []string{"--language="},
			want:     Config{DataDir: "{data}", Language: "zh"},
		},
		{
			name:     "relative folder from env or flag is left to the working directory",
			userFile: "forms_dir: in-file\n",
			args:     []string{"--forms-dir", "forms"},
			want:     Config{DataDir: "{data}", Language: "zh", FormsDir: "forms"},
		},
		{
			name:     "key with no value means the default",
			userFile: "data_dir:\nlanguage: ~\n",
			want:     Config{DataDir: "{data}", Language: "zh"},
		},
		{
			name:     "empty file",
			explicit: "",
			args:     []string{"--config", "{explicit}"},
			want:     Config{DataDir: "{data}", Language: "zh"},
		},
		{
			name:     "comments only",
			explicit: "# nothing set yet\n",
			args:     []string{"--config", "{explicit}"},
			want:     Config{DataDir: "{data}", Language: "zh"},
		},
		{
			name:     "byte order mark and CRLF, as Windows Notepad writes",
			explicit: "\ufefflanguage: en\r\ndata_dir: {tmp}/d\r\n",
			args:     []string{"--config", "{explicit}"},
			want:     Config{DataDir: "{tmp}/d", Language: "en"},
		},
		{
			name:     "anchors and aliases",
			explicit: "data_dir: &d {tmp}/d\nforms_dir: *d\n",
			args:     []string{"--config", "{explicit}"},
			want:     Config{DataDir: "{tmp}/d", Language: "zh", FormsDir: "{tmp}/d"},
		},
		{
			name:     "unknown key",
			userFile: "data_dir: {tmp}/d\nlanugage: en\n",
			wantErr:  []string{"config {userconf}/config.yaml: ", "line 2: ", `unknown key "lanugage"; did you mean "language"?`},
		},
		{
			name:     "unknown key spelt as a variable",
			explicit: "DOORSTEP_DATA_DIR: x\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{`unknown key "DOORSTEP_DATA_DIR"; did you mean "data_dir"?`},
		},
		{
			name:     "unknown key with no likely meaning",
			explicit: "server: https://example.org\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{`line 1: unknown key "server"; the keys are data_dir, language, forms_dir`},
		},
		{
			name:     "bad language in file",
			userFile: "# settings\n\nlanguage: fr\n",
			wantErr:  []string{"config {userconf}/config.yaml: line 3: language: must be zh or en, not \"fr\""},
		},
		{
			name:    "bad language in env",
			env:     env{"DOORSTEP_LANGUAGE": "EN"},
			wantErr: []string{`environment DOORSTEP_LANGUAGE: must be zh or en, not "EN"`},
		},
		{
			name:    "bad language flag",
			args:    []string{"--language", "fr"},
			wantErr: []string{`--language: must be zh or en, not "fr"`},
		},
		{
			name:     "every bad value is reported",
			explicit: "language: fr\nforms_dir: ~/forms\n",
			args:     []string{"--config", "{explicit}", "--data", "~/data"},
			wantErr: []string{
				`config {explicit}: line 1: language: must be zh or en, not "fr"`,
				`config {explicit}: line 2: forms_dir: "~/forms": ~ is not expanded here; write the full path`,
				`--data: "~/data": ~ is not expanded`,
			},
		},
		{
			name:     "wrong type: list",
			explicit: "language:\n  - zh\n  - en\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{"config {explicit}: line 2: language: must be text, not a list"},
		},
		{
			name:     "wrong type: number",
			explicit: "data_dir: 2024\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{`line 1: data_dir: must be text, not a number; put it in quotes if you mean the text "2024"`},
		},
		{
			name:     "wrong type: mapping",
			explicit: "forms_dir: {zh: a}\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{"line 1: forms_dir: must be text, not a mapping"},
		},
		{
			name:     "YAML syntax error",
			explicit: "language: zh\ndata_dir: \"/unclosed\nforms_dir: x\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{"config {explicit}: ", "line 2"},
		},
		{
			name:     "tab indentation",
			explicit: "language: zh\n\tdata_dir: x\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{"config {explicit}: ", "line 2"},
		},
		{
			name:     "key set twice",
			explicit: "language: zh\nlanguage: en\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{"line 2: language: set twice (first at line 1)"},
		},
		{
			name:     "not a mapping",
			explicit: "- language: zh\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{`line 1: expected settings such as "language: zh", found a list`},
		},
		{
			name:     "two documents",
			explicit: "language: zh\n---\nlanguage: en\n",
			args:     []string{"--config", "{explicit}"},
			wantErr:  []string{"line 2: a second YAML document"},
		},
		{
			name:    "explicit --config missing is an error",
			args:    []string{"--config", "{tmp}/nowhere.yaml"},
			wantErr: []string{"config {tmp}/nowhere.yaml: ", "no such file"},
		},
		{
			name:    "empty --config is an error",
			args:    []string{"--config="},
			wantErr: []string{"--config: empty file name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, home := testEnv(t)
			dirs := userDirsFor(runtime.GOOS, e.lookup)
			if dirs.configErr != nil || dirs.dataErr != nil {
				t.Fatalf("test environment has no per-user folders: %v, %v", dirs.configErr, dirs.dataErr)
			}
			userconf := filepath.Join(dirs.config, "doorstep")
			explicit := filepath.Join(home, "explicit.yaml")
			r := strings.NewReplacer(
				"{tmp}", filepath.ToSlash(home),
				"{userconf}", userconf,
				"{data}", filepath.Join(dirs.data, "doorstep"),
				"{explicit}", explicit,
			)
			if tt.userFile != "" {
				writeFile(t, filepath.Join(userconf, "config.yaml"), r.Replace(tt.userFile))
			}
			writeFile(t, explicit, r.Replace(tt.explicit))
			for k, v := range tt.env {
				e[k] = r.Replace(v)
			}
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = r.Replace(a)
			}

			got, err := Load(parseFlags(t, args), e.lookup)

			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Load = %+v, want an error", got)
				}
				for _, want := range tt.wantErr {
					if want = r.Replace(want); !strings.Contains(err.Error(), want) {
						t.Errorf("error %q\ndoes not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := tt.want
			for _, f := range want.folders() {
				if *f.value != "" {
					*f.value = filepath.Clean(r.Replace(*f.value))
				}
			}
			if got != want {
				t.Errorf("Load =\n %+v\nwant\n %+v", got, want)
			}
		})
	}
}

func TestLoadWithoutFlags(t *testing.T) {
	e, _ := testEnv(t)
	e["DOORSTEP_LANGUAGE"] = "en"
	got, err := Load(nil, e.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "en" {
		t.Errorf("Language = %q, want en", got.Language)
	}
}

func TestLoadWithoutHome(t *testing.T) {
	tests := []struct {
		name    string
		env     env
		want    string
		wantErr string
	}{
		{name: "no data folder", env: env{}, wantErr: "data_dir: not set, and there is no per-user data folder"},
		{name: "data_dir set", env: env{"DOORSTEP_DATA": "/srv/doorstep"}, want: filepath.Clean("/srv/doorstep")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(parseFlags(t, nil), tt.env.lookup)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.DataDir != tt.want {
				t.Errorf("DataDir = %q, want %q", got.DataDir, tt.want)
			}
		})
	}
}

func TestLoadUndefinedFlag(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.String("config", "", "")
	e, _ := testEnv(t)
	if _, err := Load(fs, e.lookup); err == nil || !strings.Contains(err.Error(), "--data is not defined") {
		t.Fatalf("Load with a flag set lacking --data: err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "good", cfg: Config{DataDir: "/d", Language: "en"}},
		{name: "forms_dir optional", cfg: Config{DataDir: "/d", Language: "zh", FormsDir: ""}},
		{name: "zero", cfg: Config{}, wantErr: "data_dir: must be set\nlanguage: must be zh or en, not \"\""},
		{name: "language", cfg: Config{DataDir: "/d", Language: "zh-CN"}, wantErr: `language: must be zh or en, not "zh-CN"`},
		{name: "tilde", cfg: Config{DataDir: "~", Language: "zh"}, wantErr: `data_dir: "~": ~ is not expanded here; write the full path`},
		{name: "forms named", cfg: Config{DataDir: "/d", Language: "zh", PersonForm: "person-2022", CommunityForm: "community-2022@2022.1"}},
		{name: "person_form not an id", cfg: Config{DataDir: "/d", Language: "zh", PersonForm: "Person 2022"},
			wantErr: `person_form: "Person 2022" is not a form id (like person-2022, or person-2022@2022.1 for one version)`},
		{name: "community_form with an empty version", cfg: Config{DataDir: "/d", Language: "zh", CommunityForm: "community-2022@"},
			wantErr: `community_form: "community-2022@" is not a form id (like person-2022, or person-2022@2022.1 for one version)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("Validate = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// configKeys returns the keys of Config, from its mapstructure tags.
func configKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		key := f.Tag.Get("mapstructure")
		if key == "" || f.Type.Kind() != reflect.String {
			t.Fatalf("Config.%s: every field needs a mapstructure tag and, for now, type string (checkShape accepts only text)", f.Name)
		}
		keys = append(keys, key)
	}
	return keys
}

func TestSettingsMatchConfig(t *testing.T) {
	var table []string
	for _, s := range settings {
		table = append(table, s.key)
	}
	if keys := configKeys(t); !slices.Equal(table, keys) {
		t.Errorf("settings table has keys %v, Config has %v", table, keys)
	}
	var folders []string
	for _, f := range (&Config{}).folders() {
		folders = append(folders, f.key)
	}
	for _, key := range configKeys(t) {
		if strings.HasSuffix(key, "_dir") != slices.Contains(folders, key) {
			t.Errorf("%s: a *_dir key must be listed by Config.folders and nothing else", key)
		}
	}
}

func TestUserDirs(t *testing.T) {
	j := filepath.Join
	tests := []struct {
		goos      string
		env       env
		config    string
		data      string
		configErr bool
		dataErr   bool
	}{
		{goos: "linux", env: env{"HOME": "/home/u"}, config: j("/home/u", ".config"), data: j("/home/u", ".local", "share")},
		{goos: "linux", env: env{"HOME": "/home/u", "XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d"}, config: "/c", data: "/d"},
		{goos: "linux", env: env{"HOME": "/home/u", "XDG_CONFIG_HOME": "c", "XDG_DATA_HOME": "d"}, configErr: true, data: j("/home/u", ".local", "share")},
		{goos: "freebsd", env: env{}, configErr: true, dataErr: true},
		{goos: "windows", env: env{"AppData": `C:\Users\u\AppData\Roaming`, "LocalAppData": `C:\Users\u\AppData\Local`}, config: `C:\Users\u\AppData\Roaming`, data: `C:\Users\u\AppData\Local`},
		{goos: "windows", env: env{"AppData": `C:\Users\u\AppData\Roaming`}, config: `C:\Users\u\AppData\Roaming`, dataErr: true},
		{goos: "darwin", env: env{"HOME": "/Users/u"}, config: j("/Users/u", "Library", "Application Support"), data: j("/Users/u", "Library", "Application Support")},
		{goos: "darwin", env: env{}, configErr: true, dataErr: true},
		{goos: "plan9", env: env{"home": "/usr/u"}, config: j("/usr/u", "lib"), data: j("/usr/u", "lib")},
	}
	for _, tt := range tests {
		d := userDirsFor(tt.goos, tt.env.lookup)
		if d.config != tt.config || (d.configErr != nil) != tt.configErr {
			t.Errorf("%s %v: config = %q, %v; want %q, error %v", tt.goos, tt.env, d.config, d.configErr, tt.config, tt.configErr)
		}
		if d.data != tt.data || (d.dataErr != nil) != tt.dataErr {
			t.Errorf("%s %v: data = %q, %v; want %q, error %v", tt.goos, tt.env, d.data, d.dataErr, tt.data, tt.dataErr)
		}
	}
}

// TestUserConfigDirIsTheStandardOne checks that userDirsFor finds the same
// config folder as os.UserConfigDir, which the documentation promises.
func TestUserConfigDirIsTheStandardOne(t *testing.T) {
	want, wantErr := os.UserConfigDir()
	d := userDirsFor(runtime.GOOS, os.LookupEnv)
	if d.config != want || (d.configErr != nil) != (wantErr != nil) {
		t.Errorf("userDirsFor = %q, %v; os.UserConfigDir = %q, %v", d.config, d.configErr, want, wantErr)
	}
}

func TestClosest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lanugage", "language"},
		{"Language", "language"},
		{"langauge", "language"},
		{"data-dir", "data_dir"},
		{"--forms-dir", "forms_dir"},
		{"DOORSTEP_LANGUAGE", "language"},
		{"data", "data_dir"},
		{"formsdir", "forms_dir"},
		{"lang", "language"},
		{"server", ""},
		{"db", ""},
		{"语言", ""},
	}
	keys := []string{"data_dir", "language", "forms_dir"}
	for _, tt := range tests {
		if got := closest(tt.in, keys); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDataFolderName: the data folder has one name, --data and DOORSTEP_DATA; the
// spelling once also read is refused with the name to use, not quietly ignored.
func TestDataFolderName(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"flag", []string{"--data", "/srv/a"}, nil, "/srv/a", ""},
		{"env", nil, map[string]string{"DOORSTEP_DATA": "/srv/b"}, "/srv/b", ""},
		{"flag beats env", []string{"--data=/srv/d"}, map[string]string{"DOORSTEP_DATA": "/srv/c"}, "/srv/d", ""},
		{"old env name", nil, map[string]string{"DOORSTEP_DATA_DIR": "/srv/c"}, "", "DOORSTEP_DATA_DIR is no longer read: set DOORSTEP_DATA instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := testEnv(t)
			for k, v := range tt.env {
				e[k] = v
			}
			got, err := Load(parseFlags(t, tt.args), e.lookup)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.DataDir != tt.want {
				t.Errorf("DataDir = %q, want %q", got.DataDir, tt.want)
			}
		})
	}
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs)
	if fs.Lookup("data-dir") != nil {
		t.Error("--data-dir is still a flag")
	}
}

func TestLockMinutes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"", 10 * time.Minute, true}, {"5", 5 * time.Minute, true}, {" 120 ", 120 * time.Minute, true},
		{"0", 0, false}, {"121", 0, false}, {"ten", 0, false}} {
		c := Config{DataDir: "/tmp/x", Language: "zh", LockMinutes: tt.in}
		err := c.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%q: %v", tt.in, err)
		}
		if tt.ok && c.LockAfter() != tt.want {
			t.Errorf("%q: %v", tt.in, c.LockAfter())
		}
	}
}

func TestFormNamesDefault(t *testing.T) {
	var c Config
	if c.PersonFormName() != "person-2021" || c.CommunityFormName() != "community-2021" {
		t.Errorf("defaults %q, %q", c.PersonFormName(), c.CommunityFormName())
	}
	c.PersonForm, c.CommunityForm = " person-2022 ", "community-2022@2022.1"
	if c.PersonFormName() != "person-2022" || c.CommunityFormName() != "community-2022@2022.1" {
		t.Errorf("named %q, %q", c.PersonFormName(), c.CommunityFormName())
	}
}
