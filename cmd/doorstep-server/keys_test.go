package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
)

// testKey gives the commands a new data key through the environment, and returns it.
func testKey(t testing.TB) *seal.Sealer {
	k := seal.NewKey()
	t.Setenv(seal.EnvKey, k.Text())
	return seal.New(k)
}

// TestKeyRequired: the server and the office's commands refuse to run on the data
// without a key, or with a key kept where it must not be, with a sentence that says
// what to do; keygen makes a key they take.
func TestKeyRequired(t *testing.T) {
	t.Setenv(seal.EnvKey, "")
	root := t.TempDir()
	data := filepath.Join(root, "data")
	keyFile := filepath.Join(root, "keys", "server.key")

	if _, err := run(t, "records", "list", "--data", data); err == nil || !strings.Contains(err.Error(), "no data key") ||
		!strings.Contains(err.Error(), "keygen") {
		t.Errorf("no key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, boltstore.File)); err == nil {
		t.Error("a data file was made without a key")
	}
	if _, err := run(t, "keygen", "--data", data, "--out", filepath.Join(data, "k")); err == nil || !strings.Contains(err.Error(), "inside the data folder") {
		t.Errorf("keygen into the data folder: %v", err)
	}
	got, err := run(t, "keygen", "--data", data, "--out", keyFile)
	if err != nil || !strings.Contains(got, "wrote a new data key") {
		t.Fatalf("keygen: %q %v", got, err)
	}
	if fi, _ := os.Stat(keyFile); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file has mode %o", fi.Mode().Perm())
	}
	if _, err := run(t, "keygen", "--data", data, "--out", keyFile); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("keygen over a key: %v", err)
	}
	if _, err := run(t, "enroll", "--data", data, "--data-key-file", keyFile, "--user", "E002", "--name", "张伟", "--villages", "王庄村"); err != nil {
		t.Fatal(err)
	}
	// The file is sealed under that key: another key, or none, is refused.
	other := filepath.Join(root, "other.key")
	if _, err := run(t, "keygen", "--data", data, "--out", other); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "records", "list", "--data", data, "--data-key-file", other); err == nil || !strings.Contains(err.Error(), "not the one its data was encrypted with") {
		t.Errorf("another key: %v", err)
	}
	// The key in the environment, as base64 or hex.
	raw, _ := os.ReadFile(keyFile)
	t.Setenv(seal.EnvKey, string(raw))
	if _, err := run(t, "records", "list", "--data", data); err != nil {
		t.Errorf("the key from the environment: %v", err)
	}
	t.Setenv(seal.EnvKey, "")
	// A key file kept in the data folder, or one others may read, is refused.
	inData := filepath.Join(data, "server.key")
	os.WriteFile(inData, raw, 0o600)
	if _, err := run(t, "records", "list", "--data", data, "--data-key-file", inData); err == nil || !strings.Contains(err.Error(), "inside the data folder") {
		t.Errorf("a key in the data folder: %v", err)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(keyFile, 0o644)
		if _, err := run(t, "records", "list", "--data", data, "--data-key-file", keyFile); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a key others may read: %v", err)
		}
		os.Chmod(keyFile, 0o600)
	}
	// server.yaml's data_key_file.
	os.WriteFile(filepath.Join(data, ConfigFile), []byte("data_key_file: "+keyFile+"\n"), 0o600)
	if _, err := run(t, "records", "list", "--data", data); err != nil {
		t.Errorf("data_key_file in %s: %v", ConfigFile, err)
	}
}

// TestDevServerKey: --dev makes its key in its own folder on first start and keeps it;
// the office's commands on that folder find it.
func TestDevServerKey(t *testing.T) {
	t.Setenv(seal.EnvKey, "")
	dir := t.TempDir()
	o := &opts{data: dir, dev: true}
	s1, err := o.sealer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, DevKeyFile)); err != nil {
		t.Fatalf("--dev made no key file: %v", err)
	}
	s2, err := (&opts{data: dir}).sealer()
	if err != nil || s2.CheckID() != s1.CheckID() {
		t.Errorf("the dev folder's key read again: %v", err)
	}
	st, _, err := (&opts{data: dir}).openStore()
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// TestServeRefusesWithoutKey: the server itself does not start on a folder without a
// key, nor with a key that is not its data's, and says why before it listens.
func TestServeRefusesWithoutKey(t *testing.T) {
	t.Setenv(seal.EnvKey, "")
	root := t.TempDir()
	data := filepath.Join(root, "data")
	cert, key, err := server.EnsureDevCert(data, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--data", data, "--tls-cert", cert, "--tls-key", key, "--listen", "127.0.0.1:0"}
	if _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), "no data key") {
		t.Errorf("serve without a key: %v", err)
	}
	good, other := filepath.Join(root, "good.key"), filepath.Join(root, "other.key")
	for _, k := range []string{good, other} {
		if _, err := seal.WriteKeyFile(k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := run(t, "enroll", "--data", data, "--data-key-file", good, "--user", "E002", "--name", "张伟", "--villages", "王庄村"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, append(args, "--data-key-file", other)...); err == nil || !strings.Contains(err.Error(), "not the one its data was encrypted with") {
		t.Errorf("serve with another key: %v", err)
	}
}

// TestSigningKeySealedAtStart: the district's signing key of a data folder from before
// sealing (a plain PEM file) is sealed under the data key at the next run, the same key
// — laptops learnt its public half at enrolment — and nothing in the data folder holds
// a private key in the clear afterwards; a run with another data key than the data's
// seals nothing (the key would be lost with it); a --dev folder's key is sealed too.
func TestSigningKeySealedAtStart(t *testing.T) {
	t.Setenv(seal.EnvKey, "")
	data := t.TempDir()
	keys := t.TempDir()
	good, other := filepath.Join(keys, "good.key"), filepath.Join(keys, "other.key")
	for _, f := range []string{good, other} {
		if _, err := run(t, "keygen", "--data", data, "--out", f); err != nil {
			t.Fatal(err)
		}
	}
	k, err := seal.ReadKeyFile(good)
	if err != nil {
		t.Fatal(err)
	}
	sealer := seal.New(k)
	if _, err := run(t, "records", "list", "--data", data, "--data-key-file", good); err != nil {
		t.Fatal(err)
	}
	// The folder as an earlier version left it: the data sealed, the key plain.
	os.Remove(filepath.Join(data, server.SigningKeyFile))
	_, old, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(old)
	if err := os.WriteFile(filepath.Join(data, server.PlainSigningKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	// A start with another data key than the data's is refused and seals nothing.
	if _, err := run(t, "records", "list", "--data", data, "--data-key-file", other); err == nil || !strings.Contains(err.Error(), "not the one its data was encrypted with") {
		t.Errorf("another data key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, server.SigningKeyFile)); err == nil {
		t.Error("the plain key was sealed under a data key that is not the data's")
	}
	if _, err := os.Stat(filepath.Join(data, server.PlainSigningKeyFile)); err != nil {
		t.Fatalf("a refused start lost the plain key: %v", err)
	}
	if _, err := run(t, "records", "list", "--data", data, "--data-key-file", good); err != nil {
		t.Fatal(err)
	}
	key, err := server.LoadSigningKey(data, sealer)
	if err != nil || !key.Equal(old) {
		t.Fatalf("the district's key after sealing: %v (same: %v)", err, key.Equal(old))
	}
	clearKey := func(dir string) {
		t.Helper()
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("PRIVATE KEY")) {
				t.Errorf("%s holds a private key in the clear", path)
			}
			return nil
		})
	}
	clearKey(data)

	dev := t.TempDir()
	st, _, err := (&opts{data: dev, dev: true}).openStore()
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(filepath.Join(dev, server.SigningKeyFile)); err != nil {
		t.Errorf("--dev made no sealed signing key: %v", err)
	}
	clearKey(dev)
}
