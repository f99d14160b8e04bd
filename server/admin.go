package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// AdminSocket is the running server's admin socket in its data folder (0600): the
// district office's commands reach the data through it while the server holds it.
const AdminSocket = "admin.sock"

// Office is what the district office's commands do. A store.Store is one (the data
// opened directly); so is the admin socket's client (the data held by a running server).
type Office interface {
	AddEnrolment(ctx context.Context, u protocol.User) (string, error)
	Revoke(ctx context.Context, user string) (int, error)
	Users(ctx context.Context) ([]store.UserRow, error)
	Records(ctx context.Context, f store.RecordFilter) ([]store.RecordRow, string, error)
	Export(ctx context.Context, f store.RecordFilter, fn func(store.StoredRevision) error) error
	ImportRoster(ctx context.Context, rows []roster.Row, imp store.RosterImport) (store.RosterImport, error)
	RosterLog(ctx context.Context) ([]store.RosterImport, error)
	Duplicates(ctx context.Context, all bool) ([]store.DuplicateGroup, error)
	ResolveDuplicate(ctx context.Context, r store.Resolution) (store.DuplicateGroup, error)
	Review(ctx context.Context, f store.ReviewFilter) (store.ReviewPage, error)
	DecideReview(ctx context.Context, d store.ReviewDecision) ([]store.ReviewItem, error)
}

var (
	_ Office = store.Store(nil)
	_ Office = adminClient{}
)

// AdminHandler serves Office over the admin socket. Export streams one revision a line
// (JSON lines), so neither side holds the district's records at once.
func AdminHandler(o Office) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(v)
	}
	body := func(w http.ResponseWriter, r *http.Request, v any) bool {
		if err := json.NewDecoder(r.Body).Decode(v); err != nil {
			reply(w, nil, err)
			return false
		}
		return true
	}
	mux.HandleFunc("POST /enroll", func(w http.ResponseWriter, r *http.Request) {
		var u protocol.User
		if body(w, r, &u) {
			code, err := o.AddEnrolment(r.Context(), u)
			reply(w, code, err)
		}
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		n, err := o.Revoke(r.Context(), r.URL.Query().Get("user"))
		reply(w, n, err)
	})
	mux.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		rows, err := o.Users(r.Context())
		reply(w, rows, err)
	})
	mux.HandleFunc("POST /records", func(w http.ResponseWriter, r *http.Request) {
		var f store.RecordFilter
		if body(w, r, &f) {
			rows, next, err := o.Records(r.Context(), f)
			reply(w, recordPage{rows, next}, err)
		}
	})
	mux.HandleFunc("POST /export", func(w http.ResponseWriter, r *http.Request) {
		var f store.RecordFilter
		if !body(w, r, &f) {
			return
		}
		w.Header().Set("Content-Type", "application/jsonl")
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		err := o.Export(r.Context(), f, func(s store.StoredRevision) error { return enc.Encode(exportLine{Rev: &s}) })
		if err != nil {
			enc.Encode(exportLine{Error: err.Error()})
		}
		bw.Flush()
	})
	mux.HandleFunc("POST /roster", func(w http.ResponseWriter, r *http.Request) {
		var req rosterRequest
		if body(w, r, &req) {
			imp, err := o.ImportRoster(r.Context(), req.Rows, req.Import)
			reply(w, imp, err)
		}
	})
	mux.HandleFunc("GET /roster/log", func(w http.ResponseWriter, r *http.Request) {
		log, err := o.RosterLog(r.Context())
		reply(w, log, err)
	})
	mux.HandleFunc("GET /duplicates", func(w http.ResponseWriter, r *http.Request) {
		groups, err := o.Duplicates(r.Context(), r.URL.Query().Get("all") == "true")
		reply(w, groups, err)
	})
	mux.HandleFunc("POST /duplicates/resolve", func(w http.ResponseWriter, r *http.Request) {
		var res store.Resolution
		if body(w, r, &res) {
			g, err := o.ResolveDuplicate(r.Context(), res)
			reply(w, g, err)
		}
	})
	mux.HandleFunc("POST /review", func(w http.ResponseWriter, r *http.Request) {
		var f store.ReviewFilter
		if body(w, r, &f) {
			page, err := o.Review(r.Context(), f)
			reply(w, page, err)
		}
	})
	mux.HandleFunc("POST /review/decide", func(w http.ResponseWriter, r *http.Request) {
		var d store.ReviewDecision
		if body(w, r, &d) {
			items, err := o.DecideReview(r.Context(), d)
			reply(w, items, err)
		}
	})
	return mux
}

type recordPage struct {
	Rows []store.RecordRow `json:"rows"`
	Next string            `json:"next,omitempty"`
}

type rosterRequest struct {
	Rows   []roster.Row       `json:"rows"`
	Import store.RosterImport `json:"import"`
}

// exportLine is one line of an export: a revision, or the error that stopped it (the
// status line is long gone by then).
type exportLine struct {
	Rev   *store.StoredRevision `json:"rev,omitempty"`
	Error string                `json:"error,omitempty"`
}

// adminClient is Office through a running server's socket.
type adminClient struct{ c *http.Client }

func (a adminClient) send(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://admin"+path, r)
	if err != nil {
		return nil, err
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the running server's admin socket: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, errors.New(string(bytes.TrimSpace(data)))
	}
	return resp, nil
}

func (a adminClient) call(ctx context.Context, method, path string, body, out any) error {
	resp, err := a.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (a adminClient) AddEnrolment(ctx context.Context, u protocol.User) (code string, err error) {
	err = a.call(ctx, http.MethodPost, "/enroll", u, &code)
	return code, err
}

func (a adminClient) Revoke(ctx context.Context, user string) (n int, err error) {
	err = a.call(ctx, http.MethodPost, "/revoke?user="+url.QueryEscape(user), nil, &n)
	return n, err
}

func (a adminClient) Users(ctx context.Context) (rows []store.UserRow, err error) {
	err = a.call(ctx, http.MethodGet, "/users", nil, &rows)
	return rows, err
}

func (a adminClient) Records(ctx context.Context, f store.RecordFilter) ([]store.RecordRow, string, error) {
	var p recordPage
	err := a.call(ctx, http.MethodPost, "/records", f, &p)
	return p.Rows, p.Next, err
}

func (a adminClient) Export(ctx context.Context, f store.RecordFilter, fn func(store.StoredRevision) error) error {
	resp, err := a.send(ctx, http.MethodPost, "/export", f)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var line exportLine
		err := dec.Decode(&line)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("export from the running server: %w", err)
		}
		if line.Error != "" {
			return errors.New(line.Error)
		}
		if line.Rev != nil {
			if err := fn(*line.Rev); err != nil {
				return err
			}
		}
	}
}

func (a adminClient) ImportRoster(ctx context.Context, rows []roster.Row, imp store.RosterImport) (out store.RosterImport, err error) {
	err = a.call(ctx, http.MethodPost, "/roster", rosterRequest{rows, imp}, &out)
	return out, err
}

func (a adminClient) RosterLog(ctx context.Context) (out []store.RosterImport, err error) {
	err = a.call(ctx, http.MethodGet, "/roster/log", nil, &out)
	return out, err
}

func (a adminClient) Duplicates(ctx context.Context, all bool) (out []store.DuplicateGroup, err error) {
	err = a.call(ctx, http.MethodGet, "/duplicates?all="+strconv.FormatBool(all), nil, &out)
	return out, err
}

func (a adminClient) ResolveDuplicate(ctx context.Context, r store.Resolution) (out store.DuplicateGroup, err error) {
	err = a.call(ctx, http.MethodPost, "/duplicates/resolve", r, &out)
	return out, err
}

func (a adminClient) Review(ctx context.Context, f store.ReviewFilter) (out store.ReviewPage, err error) {
	err = a.call(ctx, http.MethodPost, "/review", f, &out)
	return out, err
}

func (a adminClient) DecideReview(ctx context.Context, d store.ReviewDecision) (out []store.ReviewItem, err error) {
	err = a.call(ctx, http.MethodPost, "/review/decide", d, &out)
	return out, err
}

// OpenOffice opens the server's data for the office's commands: open (the backend's
// opener) when no server holds the data, else the running server's admin socket in
// dir. closeFn releases what was opened.
func OpenOffice(dir string, open func() (store.Store, error)) (o Office, closeFn func() error, err error) {
	st, err := open()
	if err == nil {
		return st, st.Close, nil
	}
	if !errors.Is(err, store.ErrBusy) {
		return nil, nil, err
	}
	sock := filepath.Join(dir, AdminSocket)
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		ResponseHeaderTimeout: time.Minute,
	}}
	return adminClient{c}, func() error { return nil }, nil
}
