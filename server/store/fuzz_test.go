package store

import (
	"encoding/json"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
)

// FuzzCheckDecide: whatever a laptop sends, and whatever the server holds, judging it
// never panics, and a stored decision only follows a passed check.
func FuzzCheckDecide(f *testing.F) {
	good, _ := json.Marshal(arrival(signedChain(2)).Item)
	f.Add(good, 2, "")
	f.Add([]byte(`{"revision":{"record":{"id":"x","status":"completed","audit_len":1},"audit":[{}]},"case":{"village":"v","subject":""}}`), 0, "x")
	f.Add([]byte(`{}`), 5, "y")
	f.Fuzz(func(t *testing.T, data []byte, heads int, head string) {
		var it protocol.PushItem
		if json.Unmarshal(data, &it) != nil {
			return
		}
		a := Arrival{Item: it}
		u := protocol.User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}
		if _, ok := Check(u, a); !ok {
			return
		}
		h := Held{}
		if heads > 0 {
			h.Latest = &HeldLatest{Revision: 1, Heads: make([]string, heads%64)}
			for i := range h.Latest.Heads {
				h.Latest.Heads[i] = head
			}
			h.Same = &HeldRevision{Head: head}
		}
		d := Decide(h, a)
		if d.Result == "" {
			t.Fatal("no decision")
		}
	})
}
