package store

import (
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
)

// A sender with MaxOpenHeld records open for review gets a hold for a new one, never a
// refusal, and a later revision of a record already open is held with it as before.
func TestQueueFull(t *testing.T) {
	from := protocol.User{Code: "E001", Role: "enumerator"}
	tests := []struct {
		name string
		held Held
		full bool
	}{
		{"none open", Held{}, false},
		{"one short of the bound", Held{OpenHeld: MaxOpenHeld - 1}, false},
		{"at the bound", Held{OpenHeld: MaxOpenHeld}, true},
		{"past the bound", Held{OpenHeld: MaxOpenHeld + 5}, true},
		{"a later revision of an open one", Held{OpenHeld: MaxOpenHeld, Queued: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := QueueFull(from, tt.held)
			if !tt.full {
				if d.Result != "" {
					t.Fatalf("not full, decided %+v", d)
				}
				return
			}
			if d.Result != protocol.Rejected || !d.Retry || d.Code != protocol.ReasonReviewFull || len(d.Args) != 1 || d.Args[0] != "200" {
				t.Errorf("full: %+v, want a hold (Retry) coded %s with the bound", d, protocol.ReasonReviewFull)
			}
		})
	}
}
