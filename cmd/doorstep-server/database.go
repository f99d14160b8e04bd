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

	"github.com/doorstep-survey/doorstep/server/pgstore"
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
	path, named := o.config, o.config != ""
	if !named {
		path = filepath.Join(o.data, ConfigFile)
	}
	c, err := loadConfig(path, named)
	return c.Database, err
}

// openPostgres opens the PostgreSQL store, waiting at most a minute for it. Photos
// stay files in the attachments folder, as with bbolt.
func openPostgres(url string, district ed25519.PublicKey) (*pgstore.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return pgstore.Open(ctx, url, pgstore.Options{District: district})
}
