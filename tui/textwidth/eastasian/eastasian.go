// Package eastasian decides, before anything measures text, whether East Asian
// Ambiguous characters (“ ” — … · │ ─ ←) are two cells wide on this terminal: on the
// classic Windows console with a Chinese, Japanese or Korean code page they are (its CJK
// fonts such as 新宋体 draw them full width), everywhere else they are one cell. It says
// so the way every width function of the program listens to, by setting
// RUNEWIDTH_EASTASIAN=1 for the process, unless the user has set that variable already.
//
// It must run before github.com/charmbracelet/x/ansi and github.com/mattn/go-runewidth
// read that variable in their init functions, so it imports nothing but the standard
// library, and cmd imports it. Since Go 1.21 packages are initialised in import-path
// order among those whose imports are done; this package's only imports are the
// standard library's (done first), and its path sorts before github.com/mattn/…, so it
// runs before go-runewidth, and so before x/ansi, which imports go-runewidth. The rest
// of the width logic is in tui/textwidth.
package eastasian

import "os"

// Variable is the environment variable x/ansi and go-runewidth read.
const Variable = "RUNEWIDTH_EASTASIAN"

// Set reports whether this package turned wide ambiguous characters on.
var Set bool

func init() {
	if Wide(os.LookupEnv, consoleCodePage()) {
		if os.Setenv(Variable, "1") == nil {
			Set = true
		}
	}
}

// Wide reports whether ambiguous characters should be measured as wide: the user has
// not chosen (RUNEWIDTH_EASTASIAN unset), the program runs in the classic console (no
// Windows Terminal, which sets WT_SESSION; no terminal that names itself in
// TERM_PROGRAM or TERM, as mintty, ConEmu's and others' do), and the console's output
// code page is a CJK one. codePage is 0 where there is no classic console.
func Wide(lookupEnv func(string) (string, bool), codePage uint32) bool {
	if _, chosen := lookupEnv(Variable); chosen {
		return false
	}
	for _, v := range []string{"WT_SESSION", "TERM_PROGRAM", "TERM"} {
		if s, ok := lookupEnv(v); ok && s != "" {
			return false
		}
	}
	switch codePage {
	case 936, 54936, 20936, // simplified Chinese (GBK, GB18030, GB2312)
		950, // traditional Chinese (Big5)
		932, // Japanese
		949: // Korean
		return true
	}
	return false
}
