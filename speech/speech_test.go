package speech

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestPrepare(t *testing.T) {
	tests := []struct{ in, want string }{
		{"联系电话：13800138000", "联系电话：1 3 8 0 0 1 3 8 0 0 0"},
		{"身份证号：11010119900307123X", "身份证号：1 1 0 1 0 1 1 9 9 0 0 3 0 7 1 2 3 X"},
		{"年龄：45岁", "年龄：45岁"},                       // a number, read as one
		{"2021年9月30日", "2021年9月30日"},               // a date
		{"邮编 1234 与 12345", "邮编 1234 与 1 2 3 4 5"}, // five digits and more are a code
		{"", ""},
	}
	for _, tt := range tests {
		if got := Prepare(tt.in); got != tt.want {
			t.Errorf("Prepare(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// needESpeak skips a test without espeak-ng, unless CI or DOORSTEP_E2E=require says it
// must run.
func needESpeak(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("espeak-ng is the Linux voice")
	}
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("DOORSTEP_E2E") == "require" {
			t.Fatal("espeak-ng is required here (CI installs it): apt install espeak-ng")
		}
		t.Skip("espeak-ng is not installed")
	}
}

// wavInfo reads a PCM WAV file: its duration and the RMS level of its samples (0–1).
func wavInfo(t *testing.T, path string) (seconds, rms float64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 44 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		t.Fatalf("%s is not a WAV file (%d bytes)", path, len(data))
	}
	var rate, byteRate uint32
	var bits, channels uint16
	var samples []byte
	for off := 12; off+8 <= len(data); {
		id, size := string(data[off:off+4]), int(binary.LittleEndian.Uint32(data[off+4:off+8]))
		body := data[off+8:]
		// espeak-ng writing to a file it cannot seek back in leaves the size unset.
		if size > len(body) || size < 0 {
			size = len(body)
		}
		switch id {
		case "fmt ":
			if binary.LittleEndian.Uint16(body[0:2]) != 1 {
				t.Fatalf("not PCM")
			}
			channels = binary.LittleEndian.Uint16(body[2:4])
			rate = binary.LittleEndian.Uint32(body[4:8])
			byteRate = binary.LittleEndian.Uint32(body[8:12])
			bits = binary.LittleEndian.Uint16(body[14:16])
		case "data":
			samples = body[:size]
		}
		off += 8 + size + size%2
	}
	if rate == 0 || bits != 16 || channels == 0 || samples == nil {
		t.Fatalf("WAV header: rate %d, %d bits, %d channels, data %v", rate, bits, channels, samples != nil)
	}
	var sum float64
	n := len(samples) / 2
	for i := 0; i < n; i++ {
		s := float64(int16(binary.LittleEndian.Uint16(samples[2*i:]))) / 32768
		sum += s * s
	}
	return float64(len(samples)) / float64(byteRate), math.Sqrt(sum / float64(max(n, 1)))
}

// TestSpeakToWAV synthesises read-back sentences with the voice the read-back uses and
// checks they are speech of a plausible length: not silent, and about as long as a
// person takes to say them (Mandarin is read at 3–6 syllables a second). A phone number
// read digit by digit takes longer than the same digits read as a number would.
func TestSpeakToWAV(t *testing.T) {
	needESpeak(t)
	v := New()
	dir := t.TempDir()
	for _, tt := range []struct {
		name, text, lang string
		syllables        int
	}{
		{"marital", "婚姻状况：有配偶", "zh", 7},
		{"phone", "联系电话：13800138000", "zh", 15},
		{"english", "Marital status: married", "en", 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".wav")
			if err := v.WriteWAV(context.Background(), tt.text, tt.lang, path); err != nil {
				t.Fatal(err)
			}
			secs, rms := wavInfo(t, path)
			t.Logf("%q: %.2f s, RMS %.3f", tt.text, secs, rms)
			if lo, hi := float64(tt.syllables)/7, float64(tt.syllables)/1.5+1; secs < lo || secs > hi {
				t.Errorf("%.2f s for %d syllables: want %.1f–%.1f s", secs, tt.syllables, lo, hi)
			}
			if rms < 0.01 {
				t.Errorf("silent: RMS %.4f", rms)
			}
		})
	}
	// Digit by digit: eleven digits take longer than eleven syllables' worth of pause.
	spaced := filepath.Join(dir, "spaced.wav")
	if err := v.WriteWAV(context.Background(), "13800138000", "zh", spaced); err != nil {
		t.Fatal(err)
	}
	if secs, _ := wavInfo(t, spaced); secs < 11.0/7 {
		t.Errorf("eleven digits in %.2f s: not read one by one", secs)
	}
}

// TestSpeakCancelled stops a long sentence at once: speaking never holds the screen.
func TestSpeakCancelled(t *testing.T) {
	needESpeak(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := New().WriteWAV(ctx, "这是一句很长很长的话，要读很久很久。", "zh", filepath.Join(t.TempDir(), "x.wav")); err != nil {
		t.Errorf("a cancelled speech is not an error: %v", err)
	}
}

// TestMissingSaysHowToInstallOnce: without the voice, the error says how to install it,
// and says it is the first time only once.
func TestMissingSaysHowToInstallOnce(t *testing.T) {
	v := &Voice{engine: missingEngine{}}
	var first *MissingError
	err := v.Speak(context.Background(), "你好", "zh")
	if !errors.As(err, &first) || !first.First || first.Install[0] == "" || first.Install[1] == "" || !errors.Is(err, ErrMissing) {
		t.Fatalf("first: %v", err)
	}
	var again *MissingError
	if err := v.Speak(context.Background(), "你好", "zh"); !errors.As(err, &again) || again.First {
		t.Fatalf("again: %v", err)
	}
}

type missingEngine struct{}

func (missingEngine) command(context.Context, string, string, string) (*exec.Cmd, error) {
	return nil, exec.ErrNotFound
}
func (missingEngine) install() [2]string { return [2]string{"装", "install"} }

// TestSpeakAloud speaks through the sound device: on a machine without one (a CI runner)
// espeak-ng exits 0 having said nothing, and Speak says there was no sound device.
func TestSpeakAloud(t *testing.T) {
	needESpeak(t)
	err := New().Speak(context.Background(), "你好", "zh")
	if err != nil && !errors.Is(err, ErrNoSound) {
		t.Fatalf("speak: %v", err)
	}
	t.Logf("speak: %v", err)
}

func TestNoSound(t *testing.T) {
	alsa := "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'\nALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\nerror: No such file or directory\n"
	if !noSound(alsa) || noSound("") {
		t.Error("noSound does not tell ALSA's complaint from silence")
	}
}
