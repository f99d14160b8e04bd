package pgstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// BenchmarkScale is storetest.Scale on PostgreSQL with fsync on; it reports the
// database's size after a VACUUM ANALYZE (as autovacuum would have run by then).
//
//	DOORSTEP_SCALE=1000000 go test -run XXX -bench Scale -benchtime 20x ./server/pgstore/
func BenchmarkScale(b *testing.B) {
	ctx := context.Background()
	c := pgtest.Own(b, pgtest.Options{Durable: true})
	url, err := c.CreateDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	st, err := Open(ctx, url, Options{Sealer: seal.New(seal.NewKey())}) // as doorstep-server keeps it
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.Scale(b, st, func() string {
		var size int64
		st.pool.Exec(ctx, "VACUUM ANALYZE")
		st.pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&size)
		return fmt.Sprintf("database %d MB", size>>20)
	})
}

// BenchmarkReviewQueue: holding records of persons the roster does not know (counted
// by sender), and a page of the queue.
func BenchmarkReviewQueue(b *testing.B) {
	st, err := Open(context.Background(), pgtest.DB(b), Options{Sealer: seal.New(seal.NewKey())})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.ReviewQueue(b, st)
}
