package ntpq

import (
	"context"
	"sync"

	"github.com/beevik/ntp"
)

// Querier asks one NTP server ("host" or "host:port") for the time.
// *Client is the polite one: it remembers answers and obeys rate limits.
type Querier interface {
	Query(ctx context.Context, server string) (*ntp.Response, error)
}

// Result is one server's part in QueryAll.
type Result struct {
	Server string
	// Sample is the validated measurement, when Err is nil.
	Sample Sample
	// Err says why there is no sample: no answer, a kiss-of-death, or an
	// answer FromResponse refused.
	Err error
}

// Reason says in plain words why the server's answer is not used; "" when
// there is a sample.
func (r Result) Reason() string { return Reason(r.Err) }

// QueryAll asks every server at once through q and returns one Result per
// server, in the order given. A server listed twice is asked and counted
// once: it must not vote twice. Through a Client no server is asked more
// than once per MinInterval; a recent answer comes from its memory.
//
// A panic in a query is raised again in the caller once every query has
// returned, so that the caller's recover sees it as its own.
func QueryAll(ctx context.Context, q Querier, servers []string) []Result {
	var unique []string
	seen := map[string]bool{}
	for _, s := range servers {
		if s != "" && !seen[s] {
			seen[s] = true
			unique = append(unique, s)
		}
	}
	out := make([]Result, len(unique))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fault any
	)
	for i, server := range unique {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					defer mu.Unlock()
					if fault == nil {
						fault = p
					}
				}
			}()
			out[i] = queryOne(ctx, q, server)
		})
	}
	wg.Wait()
	if fault != nil {
		panic(fault)
	}
	return out
}

func queryOne(ctx context.Context, q Querier, server string) Result {
	a := Result{Server: server}
	resp, err := q.Query(ctx, server)
	if err == nil {
		a.Sample, err = FromResponse(server, resp)
	}
	a.Err = err
	return a
}

// Samples returns the results' samples, in order.
func Samples(results []Result) []Sample {
	var out []Sample
	for _, a := range results {
		if a.Err == nil {
			out = append(out, a.Sample)
		}
	}
	return out
}
