package storetest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
)

// Synthetic is the i-th synthetic copy of a completed revision, as a laptop would push
// it for another person of village: a new record id and subject, its signatures and
// audit chain made to match, so that it passes store.Check. It is how the scale
// benchmarks fill a store with a million records without a million interviews. The
// chain is signed anew with key, the signing key of the laptop base comes from (whose
// user wrote every entry of it): the last entry of each author's run, which vouches
// for the run.
func Synthetic(base record.Revision, i int, village string, key ed25519.PrivateKey) protocol.PushItem {
	r := base.Record
	r.ID = fmt.Sprintf("syn-%012d", i)
	if os.Getenv("DOORSTEP_SCALE_IDS") == "random" {
		// As laptops make them (16 random bytes in hex): each record lands at a random
		// place in every bucket keyed by record id, where "syn-…" ids only append.
		sum := sha256.Sum256([]byte(r.ID))
		r.ID = hex.EncodeToString(sum[:16])
	}
	r.Subject = fmt.Sprintf("4101881950%010d", i)
	r.CaseID, r.Receipts = "", nil
	h := r.ContentHash()
	r.Signatures = slices.Clone(r.Signatures)
	for j := range r.Signatures {
		r.Signatures[j].ContentHash = h
	}
	audit := record.Unlinked(base.Audit)
	for j, e := range audit {
		// The chain records each signature with the content it signed.
		if e.Action == record.ActionSign {
			var v map[string]string
			_ = json.Unmarshal(e.New, &v)
			v["content_hash"] = h
			audit[j].New, _ = json.Marshal(v)
		}
	}
	record.Relink(audit)
	for j := range audit {
		audit[j].Sig = nil
		if j == len(audit)-1 || audit[j+1].User != audit[j].User {
			audit[j].Sign(r.ID, key)
		}
	}
	r.AuditLen, r.AuditHead = uint64(len(audit)), audit[len(audit)-1].Hash
	return protocol.PushItem{Seq: uint64(i), Revision: record.Revision{Record: r, Audit: record.Unlinked(audit)},
		Case: protocol.Case{Subject: r.Subject, Name: fmt.Sprintf("合成%d", i), Village: village}}
}

// SigningKey is the private signing key of the laptop s's user, for Synthetic.
func SigningKey(t testing.TB, s *localstore.Session) ed25519.PrivateKey {
	t.Helper()
	keys, err := s.BundleKeys()
	if err != nil {
		t.Fatal(err)
	}
	return keys.Signing
}
