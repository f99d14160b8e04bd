package server

import (
	"context"
	"net/http"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Pinger is a store that can say whether its database answers (PostgreSQL). A store
// that is not one (the bbolt file, open for the server's life) is healthy while open.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Health answers GET /healthz with whether the store's database answers — 200, or 503
// with Retry-After when it does not, so that a load balancer or a watchdog sees a
// server that cannot store anything — and passes every other request to next.
func Health(st store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		if p, ok := st.(Pinger); ok {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			err := p.Ping(ctx)
			cancel()
			if err != nil {
				w.Header().Set("Retry-After", "10")
				writeJSON(w, http.StatusServiceUnavailable, protocol.Envelope{Doorstep: protocol.Version, Code: "unavailable",
					Error: "the server cannot reach its database"})
				return
			}
		}
		writeJSON(w, http.StatusOK, protocol.Envelope{Doorstep: protocol.Version})
	})
}
