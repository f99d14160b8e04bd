package office

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
)

// bigDistrict is a server store with a roster of 30 000 cases and 20 000 person records
// (clones of real demo interviews, each under another person, pushed through the
// server's own checks), and a console over it. Made once per test binary.
var bigDistrict = struct {
	once  gosync.Once
	f     *fixture
	build time.Duration // the console's first reading of the store
	err   error
}{}

func big(b *testing.B) *fixture {
	b.Helper()
	bigDistrict.once.Do(func() {
		f := newFixture(b, fixtureOpts{cases: 200, completed: 80, approved: 40})
		var templates []localstore.Revision
		recs, _ := f.laptop.Records()
		for _, r := range recs {
			if r.Status.Locked() && r.Subject != "" {
				rev, err := f.laptop.Revision(r.ID)
				if err != nil {
					bigDistrict.err = err
					return
				}
				rev.Photos = nil
				templates = append(templates, rev)
			}
		}
		d := demo.Generate(demo.Options{Seed: 11, Cases: 30_000, Villages: 300})
		if _, err := f.store.ImportRoster(context.Background(), d.Rows, store.RosterImport{By: "bench"}); err != nil {
			bigDistrict.err = err
			return
		}
		all := protocol.User{Code: "BENCH", Name: "bench", Role: "leader", Villages: []string{"*"}}
		keys := map[string]ed25519.PrivateKey{}
		for _, s := range []*localstore.Session{f.laptop, f.leader} {
			k, err := s.BundleKeys()
			if err != nil {
				bigDistrict.err = err
				return
			}
			keys[k.Code] = k.Signing
		}
		var batch []protocol.PushItem
		for i := range 20_000 {
			row := d.Rows[(i*7)%len(d.Rows)] // 7 and 30 000 are coprime: 20 000 distinct persons
			rev := clone(templates[i%len(templates)], fmt.Sprintf("bench-%06d", i), row.Key(), keys)
			batch = append(batch, protocol.PushItem{Seq: uint64(i), Revision: rev, Case: protocol.Case{Subject: row.Key(), Name: row.Name, Village: row.Village}})
			if len(batch) == 500 || i == 19_999 {
				results, err := f.store.PutBatch(context.Background(), store.Caller{User: all, Device: "bench"}, server.Arrivals(batch, f.att))
				if err != nil {
					bigDistrict.err = err
					return
				}
				for _, res := range results {
					if res.Result != protocol.Stored {
						bigDistrict.err = fmt.Errorf("bench record %s: %s %s", res.RecordID, res.Result, res.Reason)
						return
					}
				}
				batch = batch[:0]
			}
		}
		start := time.Now()
		if err := f.office.ix.refresh(); err != nil {
			bigDistrict.err = err
			return
		}
		bigDistrict.build = time.Since(start)
		attached := 0
		for _, c := range f.office.ix.order {
			if c.rec != nil {
				attached++
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("index: %d cases, %d with a record, %d orphans, %d duplicates; heap in use after GC %d MB (laptop, server and console in one process)",
			len(f.office.ix.order), attached, len(f.office.ix.orphans), len(f.office.ix.duplicates), ms.HeapInuse>>20)
		// The town account sees the first town of the big district.
		acc, _ := NewAccount("bigtown", "大镇", RoleTown, []string{d.Towns[0]}, testPass, testKDF, f.clock.now())
		AddAccount(f.dir, acc)
		bigDistrict.f = f
	})
	if bigDistrict.err != nil {
		b.Fatal(bigDistrict.err)
	}
	return bigDistrict.f
}

// clone is a revision under another record id and person: the signatures are bound to
// the new content, as they would have been had the interview been this person's.
// clone is rev as another record, id, of the person subject: its chain signed anew,
// each author's run by the author's key (a signature covers the record's id).
func clone(rev localstore.Revision, id, subject string, keys map[string]ed25519.PrivateKey) localstore.Revision {
	r := rev.Record
	r.ID, r.Subject, r.Receipts = id, subject, nil
	old := rev.Record.ContentHash()
	sigs := make([]localstore.Signature, len(r.Signatures))
	for i, s := range r.Signatures {
		if s.ContentHash == old {
			s.ContentHash = r.ContentHash()
		}
		sigs[i] = s
	}
	r.Signatures = sigs
	audit := slices.Clone(rev.Audit)
	for i, e := range audit {
		// The chain records each signature with the content it signed.
		if e.Action == localstore.ActionSign {
			var v map[string]string
			_ = json.Unmarshal(e.New, &v)
			if v["content_hash"] == old {
				v["content_hash"] = r.ContentHash()
				audit[i].New, _ = json.Marshal(v)
			}
		}
	}
	localstore.Relink(audit)
	r.AuditHead = audit[len(audit)-1].Hash
	for i := range audit {
		audit[i].Sig = nil
		if i == len(audit)-1 || audit[i+1].User != audit[i].User {
			audit[i].Sign(id, keys[audit[i].User])
		}
	}
	return localstore.Revision{Record: r, Audit: audit}
}

func benchPage(b *testing.B, user, path string) {
	f := big(b)
	br := f.browser()
	br.t = b
	if res := br.login(user, testPass); res.code != http.StatusSeeOther {
		b.Fatalf("login: %d", res.code)
	}
	res := br.get(path)
	if res.code != 200 {
		b.Fatalf("%s: %d", path, res.code)
	}
	b.SetBytes(int64(len(res.body)))
	b.ResetTimer()
	for b.Loop() {
		// Each GET also keeps the session alive; the clock does not move.
		if res := br.get(path); res.code != 200 {
			b.Fatalf("%s: %d", path, res.code)
		}
	}
}

// BenchmarkConsole measures the pages over 30 000 cases and 20 000 records, in one
// benchmark (its store is made once and lives in the benchmark's folder): the
// district's progress page (target < 100 ms), a town's review list (< 100 ms), the
// district's statistics table as XLSX (< 1 s), one record opened.
func BenchmarkConsole(b *testing.B) {
	big(b)
	b.Logf("the console read 30 000 cases and 20 000 records from the store in %s", bigDistrict.build)
	b.Run("progress", func(b *testing.B) { benchPage(b, "qu", "/office/progress") })
	b.Run("town-review", func(b *testing.B) { benchPage(b, "bigtown", "/office/review") })
	b.Run("stats-xlsx", func(b *testing.B) { benchPage(b, "qu", "/office/reports/stats.xlsx") })
	b.Run("record", func(b *testing.B) { benchPage(b, "qu", "/office/review/bench-012345") })
}
