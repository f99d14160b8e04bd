package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/pgstore"
	"github.com/doorstep-survey/doorstep/server/seal"
)

// ConfigFile is the server's configuration in its data folder (optional).
const ConfigFile = "server.yaml"

// EnvDatabase names the database in the environment.
const EnvDatabase = "DOORSTEP_SERVER_DATABASE"

// serverConfig is server.yaml: what is not a flag because it holds a secret or is set
// once for the life of a district's server.
type serverConfig struct {
	// Database is a PostgreSQL URL (postgres://user:password@host:5432/dbname);
	// empty: the bbolt file in the data folder.
	Database string `yaml:"database"`
	// DataKeyFile is the server's data key (doorstep-server keygen makes one): a file
	// outside the data folder that only the server's user may read.
	DataKeyFile string `yaml:"data_key_file"`
}

// loadConfig reads path; a file that does not exist is an empty configuration unless
// it was named explicitly.
func loadConfig(path string, named bool) (serverConfig, error) {
	var c serverConfig
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("server configuration: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)                                             // a misspelt key is said, not ignored
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // EOF: an empty file
		return c, fmt.Errorf("server configuration %s: %w", path, err)
	}
	return c, nil
}

// databaseURL is the database the server uses: --database, else the environment, else
// server.yaml's database; "" is the bbolt file.
func (o *opts) databaseURL() (string, error) {
	if o.database != "" {
		return o.database, nil
	}
	if v := os.Getenv(EnvDatabase); v != "" {
		return v, nil
	}
	c, err := o.serverConfig()
	return c.Database, err
}

// serverConfig is --config, else server.yaml in the data folder when there is one.
func (o *opts) serverConfig() (serverConfig, error) {
	path, named := o.config, o.config != ""
	if !named {
		path = filepath.Join(o.data, ConfigFile)
	}
	return loadConfig(path, named)
}

// DevKeyFile is the data key --dev makes in its own data folder: a development
// server's data is sealed like a district's, with a key that is as disposable as the
// data. A district's key never lies in the data folder (seal.LoadKeyFile refuses it).
const DevKeyFile = "dev-data.key"

// errNoKey is a server (or office command) given no data key.
var errNoKey = errors.New("doorstep-server keeps the district's data encrypted and was given no data key: " +
	"make one with doorstep-server keygen --out /etc/doorstep/server.key (outside the data folder; keep a copy apart from the data's backups, " +
	"without it they cannot be read) and give it with --data-key-file, data_key_file: in " + ConfigFile + ", or " + seal.EnvKey +
	"; --dev makes one in its data folder")

// sealer is the server's data key: --data-key-file, else the environment, else
// server.yaml's data_key_file, else a development folder's own key (made by --dev).
func (o *opts) sealer() (*seal.Sealer, error) {
	load := func(path string) (*seal.Sealer, error) {
		k, err := seal.LoadKeyFile(path, o.data)
		if err != nil {
			return nil, err
		}
		return seal.New(k), nil
	}
	if o.dataKeyFile != "" {
		return load(o.dataKeyFile)
	}
	if k, ok, err := seal.KeyFromEnv(); ok {
		if err != nil {
			return nil, err
		}
		return seal.New(k), nil
	}
	c, err := o.serverConfig()
	if err != nil {
		return nil, err
	}
	if c.DataKeyFile != "" {
		return load(c.DataKeyFile)
	}
	dev := filepath.Join(o.data, DevKeyFile)
	if _, err := os.Stat(dev); o.dev && errors.Is(err, fs.ErrNotExist) {
		if _, err := seal.WriteKeyFile(dev); err != nil {
			return nil, fmt.Errorf("--dev: %w", err)
		}
	}
	if _, err := os.Stat(dev); err == nil {
		k, err := seal.ReadKeyFile(dev)
		if err != nil {
			return nil, err
		}
		return seal.New(k), nil
	}
	return nil, errNoKey
}

// signingKey is the district's signing key, kept sealed under the data key in the data
// folder by openStore (made on first start; a plain one of an earlier version sealed in
// place), which must have run.
func (o *opts) signingKey() (ed25519.PrivateKey, error) {
	sealer, err := o.sealer()
	if err != nil {
		return nil, err
	}
	k, err := server.ReadSigningKey(o.data, sealer)
	if err != nil {
		return nil, err
	}
	if k.Pending {
		return nil, errors.New("the district's signing key was read before the server's data was opened: it is kept only once the data key is known to be the data's")
	}
	return k.Key, nil
}

// openPostgres opens the PostgreSQL store, waiting at most a minute for it. Photos
// stay files in the attachments folder, as with bbolt.
func openPostgres(url string, district ed25519.PublicKey, sealer *seal.Sealer) (*pgstore.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return pgstore.Open(ctx, url, pgstore.Options{District: district, Sealer: sealer})
}
