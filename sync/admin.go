package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/doorstep-survey/doorstep/roster"
)

// AdminSocket is the running server's admin socket in its data folder (0600): the
// district office's commands reach the data file through it while the server holds it.
const AdminSocket = "admin.sock"

// Admin is what the district office's commands do.
type Admin interface {
	AddEnrolment(u User) (string, error)
	Records(all bool) ([]RecordRow, error)
	Export() ([]json.RawMessage, error)
	Revoke(user string) (int, error)
	ImportRoster(rows []roster.Row) error
}

var _ Admin = (*Store)(nil)

// AdminHandler serves Admin over the admin socket.
func AdminHandler(a Admin) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /enroll", func(w http.ResponseWriter, r *http.Request) {
		var u User
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			reply(w, nil, err)
			return
		}
		code, err := a.AddEnrolment(u)
		reply(w, code, err)
	})
	mux.HandleFunc("GET /records", func(w http.ResponseWriter, r *http.Request) {
		rows, err := a.Records(r.URL.Query().Get("all") == "true")
		reply(w, rows, err)
	})
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, r *http.Request) {
		all, err := a.Export()
		reply(w, all, err)
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		n, err := a.Revoke(r.URL.Query().Get("user"))
		reply(w, n, err)
	})
	mux.HandleFunc("POST /roster", func(w http.ResponseWriter, r *http.Request) {
		var rows []roster.Row
		if err := json.NewDecoder(r.Body).Decode(&rows); err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, len(rows), a.ImportRoster(rows))
	})
	return mux
}

// adminClient is Admin through a running server's socket.
type adminClient struct{ c *http.Client }

func (a adminClient) call(method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, "http://admin"+path, r)
	if err != nil {
		return err
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return fmt.Errorf("the running server's admin socket: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return errors.New(string(data))
	}
	return json.Unmarshal(data, out)
}

func (a adminClient) AddEnrolment(u User) (code string, err error) {
	err = a.call(http.MethodPost, "/enroll", u, &code)
	return code, err
}

func (a adminClient) Records(all bool) (rows []RecordRow, err error) {
	err = a.call(http.MethodGet, "/records?all="+strconv.FormatBool(all), nil, &rows)
	return rows, err
}

func (a adminClient) Export() (out []json.RawMessage, err error) {
	err = a.call(http.MethodGet, "/export", nil, &out)
	return out, err
}

func (a adminClient) Revoke(user string) (n int, err error) {
	err = a.call(http.MethodPost, "/revoke?user="+user, nil, &n)
	return n, err
}

func (a adminClient) ImportRoster(rows []roster.Row) error {
	var n int
	return a.call(http.MethodPost, "/roster", rows, &n)
}

// OpenAdmin opens the server's data in dir for the office's commands: the file itself
// when no server runs, else the running server's admin socket. close releases it.
func OpenAdmin(dir string) (a Admin, closeFn func() error, err error) {
	st, err := OpenStore(dir, nil)
	if err == nil {
		return st, st.Close, nil
	}
	if !errors.Is(err, ErrStoreBusy) {
		return nil, nil, err
	}
	sock := filepath.Join(dir, AdminSocket)
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}
	return adminClient{c}, func() error { return nil }, nil
}
