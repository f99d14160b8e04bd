package config

import (
	"errors"
	"path/filepath"
)

// userDirs are the per-user base folders the defaults live under.
type userDirs struct {
	config    string // as os.UserConfigDir: where the default config file is
	configErr error
	data      string // where the encrypted data file goes by default
	dataErr   error
}

// userDirsFor finds the per-user folders for goos, reading the environment
// through lookupEnv so tests need not change the real one.
//
// The config folder is exactly os.UserConfigDir's (a test checks it). Go has
// no UserDataDir, and the config folder is the wrong home for the data file
// on two systems, so the data folder is chosen per system:
//   - Windows: %LocalAppData%, not %AppData%. AppData is the roaming profile;
//     on a domain-joined laptop it is copied to a file server at logoff and
//     back at logon, which would carry the survey data off the laptop outside
//     Doorstep's sync and could put an older copy back over newer answers.
//   - Linux and other Unix: $XDG_DATA_HOME (default ~/.local/share), not
//     ~/.config: the XDG base directory spec puts data there, and ~/.config is
//     what people copy, back up and publish as dotfiles.
//   - macOS: ~/Library/Application Support, the same folder as the config;
//     Apple's guidelines put both there.
func userDirsFor(goos string, lookupEnv func(string) (string, bool)) userDirs {
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	var d userDirs
	switch goos {
	case "windows":
		d.config, d.configErr = windowsDir(get("AppData"), "%AppData%")
		d.data, d.dataErr = windowsDir(get("LocalAppData"), "%LocalAppData%")
	case "darwin", "ios":
		home := get("HOME")
		if home == "" {
			d.configErr = errors.New("$HOME is not defined")
		} else {
			d.config = filepath.Join(home, "Library", "Application Support")
		}
		d.data, d.dataErr = d.config, d.configErr
	case "plan9":
		home := get("home")
		if home == "" {
			d.configErr = errors.New("$home is not defined")
		} else {
			d.config = filepath.Join(home, "lib")
		}
		d.data, d.dataErr = d.config, d.configErr
	default:
		home := get("HOME")
		// As os.UserConfigDir: a relative $XDG_CONFIG_HOME is an error.
		switch xdg := get("XDG_CONFIG_HOME"); {
		case xdg != "" && !filepath.IsAbs(xdg):
			d.configErr = errors.New("path in $XDG_CONFIG_HOME is relative")
		case xdg != "":
			d.config = xdg
		case home == "":
			d.configErr = errors.New("neither $XDG_CONFIG_HOME nor $HOME are defined")
		default:
			d.config = filepath.Join(home, ".config")
		}
		// As the XDG spec: a relative $XDG_DATA_HOME is ignored.
		switch xdg := get("XDG_DATA_HOME"); {
		case xdg != "" && filepath.IsAbs(xdg):
			d.data = xdg
		case home == "":
			d.dataErr = errors.New("neither $XDG_DATA_HOME nor $HOME are defined")
		default:
			d.data = filepath.Join(home, ".local", "share")
		}
	}
	return d
}

func windowsDir(dir, name string) (string, error) {
	if dir == "" {
		return "", errors.New(name + " is not defined")
	}
	return dir, nil
}
