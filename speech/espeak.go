//go:build !windows

package speech

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
)

// espeak speaks through espeak-ng. Chinese goes to the cmn-latn-pinyin voice: it reads
// Chinese characters through its Mandarin dictionary, as the plain cmn voice does, but
// reads Latin letters as pinyin rather than as English — the cmn voice turns the pinyin
// its own dictionary yields into English-sounding syllables and reads tone digits aloud
// (espeak-ng issues #1236, #1370). Checked with espeak-ng 1.51: "婚姻状况" gives
// Xw'u@55n j'i55n ts.w'A51N khw'a51N with cmn-latn-pinyin and (en)hV55nw'055n… with cmn.
type espeak struct {
	once      sync.Once
	hasPinyin bool // the cmn-latn-pinyin voice is installed (espeak-ng 1.50 and later)
}

func systemEngine() engine { return &espeak{} }

// errNoPinyinVoice is an espeak-ng too old to have the cmn-latn-pinyin voice: with the
// cmn voice Chinese would be read as English-sounding syllables, so it counts as missing.
var errNoPinyinVoice = errors.New("espeak-ng has no cmn-latn-pinyin voice")

func (e *espeak) command(ctx context.Context, text, lang, wav string) (*exec.Cmd, error) {
	path, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil, err
	}
	e.once.Do(func() {
		out, _ := exec.Command(path, "--voices=cmn").Output()
		e.hasPinyin = strings.Contains(string(out), "cmn-latn-pinyin")
	})
	if lang != "en" && !e.hasPinyin {
		return nil, errNoPinyinVoice
	}
	voice := "cmn-latn-pinyin"
	if lang == "en" {
		voice = "en"
	}
	// A little slower than the default 175 words a minute: read to an older person.
	args := []string{"-v", voice, "-s", "150"}
	if wav != "" {
		args = append(args, "-w", wav)
	}
	// The text comes on standard input, never as an argument a leading "-" could turn
	// into an option.
	cmd := exec.CommandContext(ctx, path, append(args, "--stdin")...)
	cmd.Stdin = stringReader(text)
	return cmd, nil
}

func (*espeak) install() [2]string {
	return [2]string{"朗读需要 espeak-ng 1.50 或更新版本（含 cmn-latn-pinyin 中文语音）：请安装（Debian/Ubuntu/统信/麒麟：sudo apt install espeak-ng）。其他功能不受影响。",
		"Speech needs espeak-ng 1.50 or newer (with the cmn-latn-pinyin voice): install it (Debian/Ubuntu: sudo apt install espeak-ng). Everything else works without it."}
}
