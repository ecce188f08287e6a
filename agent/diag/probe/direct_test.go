package probe

import "testing"

// A Prober goes direct unless told otherwise: no proxy from the
// environment, so that the agent ignores one set for the service (the
// README's "Running it in the background") and every check but the proxy
// comparison describes this machine's own path. Go's own default,
// http.ProxyFromEnvironment, would read HTTPS_PROXY.
func TestProberIgnoresProxyVariables(t *testing.T) {
	p := &Prober{}
	for _, kind := range []int{readBodies, judgeOnly} {
		if p.transport(kind).Proxy != nil {
			t.Fatal("a Prober without Proxy chooses a proxy for its requests; probes must go direct")
		}
	}
}
