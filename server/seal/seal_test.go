package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	s := New(NewKey())
	plain := []byte(`{"name":"王秀兰","id":"110101195003071234"}`)
	v := s.Seal("rows", []byte{0, 0, 0, 1}, plain)
	if bytes.Contains(v, []byte("110101195003071234")) || !IsSealed(v) {
		t.Fatalf("sealed value shows its plaintext or has no form: %x", v)
	}
	got, err := s.Open("rows", []byte{0, 0, 0, 1}, v)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	if again := s.Seal("rows", []byte{0, 0, 0, 1}, plain); bytes.Equal(again, v) {
		t.Error("two seals of one value are equal: the nonce repeats")
	}
}

// A value moved to another key, another bucket, sealed under another key, or with a
// byte changed does not open.
func TestMovedOrDamagedRefused(t *testing.T) {
	s := New(NewKey())
	v := s.Seal("roster", []byte("a"), []byte("王秀兰"))
	flipped := bytes.Clone(v)
	flipped[len(flipped)-1] ^= 1
	cases := []struct {
		name  string
		s     *Sealer
		table string
		key   string
		v     []byte
	}{
		{"another key", s, "roster", "b", v},
		{"another bucket", s, "rows", "a", v},
		{"another data key", New(NewKey()), "roster", "a", v},
		{"a byte changed", s, "roster", "a", flipped},
		{"cut short", s, "roster", "a", v[:Overhead-1]},
		{"plaintext", s, "roster", "a", []byte(`{"name":"王秀兰","village":"王庄村","x":"yyyyyyyyyyyyyyyyyyyyyyyyyyyy"}`)},
	}
	for _, c := range cases {
		if _, err := c.s.Open(c.table, []byte(c.key), c.v); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v, want ErrOpen", c.name, err)
		}
	}
}

func TestBlind(t *testing.T) {
	k := NewKey()
	a, b := New(k), New(k)
	x := a.Blind("subject", "11010119500307123411")
	if x != b.Blind("subject", "11010119500307123411") {
		t.Error("one key, one value, two blind indexes")
	}
	if x == a.Blind("id", "11010119500307123411") || x == New(NewKey()).Blind("subject", "11010119500307123411") {
		t.Error("a blind index does not depend on its kind and key")
	}
	if !strings.HasPrefix(x, BlindPrefix) || len(x) != 33 || strings.Contains(x, "1101011950") {
		t.Errorf("blind index %q", x)
	}
}

func TestCheck(t *testing.T) {
	k := NewKey()
	if err := New(k).Verify(New(k).Check()); err != nil {
		t.Fatal(err)
	}
	err := New(NewKey()).Verify(New(k).Check())
	if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), New(k).CheckID()) {
		t.Errorf("wrong key: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	k := NewKey()
	for _, text := range []string{k.Text(), " " + k.Text() + "\n", strings.TrimRight(k.Text(), "="),
		strings.NewReplacer("+", "-", "/", "_").Replace(k.Text())} {
		got, err := ParseKey(text)
		if err != nil || got != k {
			t.Errorf("%q: %v", text, err)
		}
	}
	hexText := "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	if got, err := ParseKey(hexText); err != nil || got.b[1] != 0x11 {
		t.Errorf("hex: %v", err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 40), hexText[:62]} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("%q taken as a key", bad)
		}
	}
}

func TestKeyFile(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	os.Mkdir(data, 0o700)
	path := filepath.Join(root, "keys", "server.key")
	k, err := WriteKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %o", fi.Mode().Perm())
	}
	if _, err := WriteKeyFile(path); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("second keygen on the same file: %v", err)
	}
	if got, err := LoadKeyFile(path, data); err != nil || got != k {
		t.Fatalf("load: %v", err)
	}
	inData := filepath.Join(data, "server.key")
	if _, err := WriteKeyFile(inData); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(inData, data); err == nil || !strings.Contains(err.Error(), "inside the data folder") {
		t.Errorf("a key in the data folder: %v", err)
	}
	if _, err := LoadKeyFile(filepath.Join(root, "none.key"), data); err == nil || !strings.Contains(err.Error(), "keygen") {
		t.Errorf("missing key file: %v", err)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o640)
		if _, err := LoadKeyFile(path, data); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a key file others may read: %v", err)
		}
	}
}

func TestKeyFromEnv(t *testing.T) {
	k := NewKey()
	t.Setenv(EnvKey, k.Text())
	if got, ok, err := KeyFromEnv(); !ok || err != nil || got != k {
		t.Errorf("env: %v %v", ok, err)
	}
	t.Setenv(EnvKey, "nonsense")
	if _, ok, err := KeyFromEnv(); !ok || err == nil || strings.Contains(err.Error(), "nonsense") {
		t.Errorf("bad env key: %v (the message must not echo it)", err)
	}
	t.Setenv(EnvKey, "")
	if _, ok, _ := KeyFromEnv(); ok {
		t.Error("empty variable taken as a key")
	}
}

func FuzzParseKey(f *testing.F) {
	f.Add(NewKey().Text())
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err == nil && k.Text() == "" {
			t.Fatal("empty key")
		}
	})
}

// BenchmarkSeal is the cost of sealing a packed person record (~2 KB) and opening it.
func BenchmarkSeal(b *testing.B) {
	s := New(NewKey())
	plain := bytes.Repeat([]byte("x"), 2048)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		v := s.Seal("revisions", []byte("r/1"), plain)
		if _, err := s.Open("revisions", []byte("r/1"), v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlind(b *testing.B) {
	s := New(NewKey())
	for b.Loop() {
		s.Blind("subject", "11010119500307123643")
	}
}
