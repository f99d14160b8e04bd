//go:build windows

package speech

import (
	"context"
	"os/exec"
)

// sapi speaks through the system's speech (SAPI, System.Speech) from PowerShell, with an
// installed zh-CN voice (Huihui on Chinese Windows) or, for English, an en voice. The
// text comes on standard input as UTF-8, so no quoting can break it.
type sapi struct{}

func systemEngine() engine { return sapi{} }

// script picks a voice of the culture or exits 3 (exitNoVoice), then speaks standard
// input (or writes a WAV file).
const script = `$ErrorActionPreference = 'Stop'
[Console]::InputEncoding = [Text.Encoding]::UTF8
Add-Type -AssemblyName System.Speech
$s = New-Object System.Speech.Synthesis.SpeechSynthesizer
$v = $s.GetInstalledVoices() | Where-Object { $_.Enabled -and $_.VoiceInfo.Culture.Name -like $env:DOORSTEP_VOICE } | Select-Object -First 1
if (-not $v) { exit 3 }
$s.SelectVoice($v.VoiceInfo.Name)
$s.Rate = -1
if ($env:DOORSTEP_WAV) { $s.SetOutputToWaveFile($env:DOORSTEP_WAV) }
$s.Speak([Console]::In.ReadToEnd())
$s.Dispose()`

func (sapi) command(ctx context.Context, text, lang, wav string) (*exec.Cmd, error) {
	path, err := exec.LookPath("powershell.exe")
	if err != nil {
		return nil, err
	}
	culture := "zh-CN"
	if lang == "en" {
		culture = "en-*"
	}
	cmd := exec.CommandContext(ctx, path, "-NoProfile", "-NonInteractive", "-Command", script)
	cmd.Env = append(cmd.Environ(), "DOORSTEP_VOICE="+culture, "DOORSTEP_WAV="+wav)
	cmd.Stdin = stringReader(text)
	return cmd, nil
}

func (sapi) install() [2]string {
	return [2]string{"朗读需要中文语音：请在“设置 → 时间和语言 → 语音 → 添加语音”中添加“中文(简体)”。其他功能不受影响。",
		"Speech needs a Chinese voice: add “Chinese (Simplified)” in Settings → Time & language → Speech → Add voices. Everything else works without it."}
}
