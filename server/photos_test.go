package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestPhotosReachTheLeader: a record with a photo goes enumerator → server → leader,
// photo and all; while the server lacks the photo the leader's laptop holds the record
// and takes it next round (the cursor does not pass it); a user who may not see the
// record gets no photo; a download resumes with Range.
func TestPhotosReachTheLeader(t *testing.T) {
	d := storetest.NewDistrict(t, boltBackend, nil)
	enum := storetest.Laptop(t, 1, "E001")
	lead := storetest.Laptop(t, 0, "L001")
	items, _ := enum.Outbox(0)
	rec := items[0].Record
	cases, _ := enum.Cases(localstore.CaseFilter{Status: localstore.StatusNew})
	r, err := enum.StartRecord(cases[0].ID, rec.FormID, rec.FormVersion)
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte("入户照片 "), 60000)
	for _, step := range []func() (*localstore.Record, error){
		func() (*localstore.Record, error) {
			return enum.SetCaseHeader(r.ID, 1, 3, "空挂户，村委会证实")
		},
		func() (*localstore.Record, error) { return enum.AddPhoto(r.ID, photo, "image/jpeg") },
		func() (*localstore.Record, error) { return enum.Complete(r.ID) },
	} {
		if r, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	hash := r.Photos[0].Hash
	vs := storetest.Villages(t, enum)
	es := storetest.Enrolled(t, d, enum, d.Enrol("E001", "李晓梅", "enumerator", vs...))
	ls := storetest.Enrolled(t, d, lead, d.Enrol("L001", "王建军", "leader", "*"))
	otherTok, _, err := d.Store.Enroll(context.Background(), d.Enrol("E002", "张伟", "enumerator", "*"), "another laptop", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep := storetest.Round(t, es); rep.Pushed != 2 {
		t.Fatalf("the enumerator pushed %+v", rep)
	}

	get := func(tok, rng string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, d.Srv.URL+"/v1/photos/"+hash, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := es.Client.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(otherTok, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another enumerator fetched the photo: %d", resp.StatusCode)
	}
	if resp := get(ls.Client.Token, "bytes=100-"); resp.StatusCode != http.StatusPartialContent || resp.ContentLength != int64(len(photo)-100) {
		t.Errorf("a resumed download: %d, %d bytes", resp.StatusCode, resp.ContentLength)
	}

	// The photo file is gone from the server for a while (a restore in progress):
	// the leader takes the other record and holds this one.
	f, err := d.Att.Open(hash) // the photo's bytes (the file is sealed)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(d.Att.Path(hash))
	rep := storetest.Round(t, ls)
	if _, err := lead.Record(r.ID); err == nil {
		t.Fatalf("the leader has the record without its photo: %+v", rep)
	}
	if !strings.Contains(strings.Join(rep.Reasons, " "), "photo") {
		t.Errorf("the hold is not said: %+v", rep)
	}
	if err := d.Att.Put(hash, kept); err != nil {
		t.Fatal(err)
	}
	storetest.Round(t, ls)
	got, err := lead.Record(r.ID)
	if err != nil {
		t.Fatalf("the record never reached the leader: %v", err)
	}
	if data, err := lead.Photo(hash); err != nil || !bytes.Equal(data, photo) || len(got.Photos) != 1 {
		t.Errorf("the leader's photo: %d bytes, %v", len(data), err)
	}
	if recs, _ := lead.Records(); len(recs) != 2 {
		t.Errorf("the leader has %d records", len(recs))
	}
}
