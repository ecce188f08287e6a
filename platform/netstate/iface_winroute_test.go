package netstate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// winMetricsFixture is the constructed forwarding table with the interface
// metrics GetIpInterfaceEntry would give.
type winMetricsFixture struct {
	Source  string            `json:"source"`
	Names   map[string]string `json:"names"`
	Metrics []struct {
		Family uint16 `json:"family"`
		Luid   uint64 `json:"if_luid"`
		Metric uint32 `json:"metric"`
	} `json:"interface_metrics"`
	Routes []WinRoute `json:"routes"`
}

func loadWinMetricsFixture(t *testing.T) (winMetricsFixture, map[uint32]string) {
	t.Helper()
	var f winMetricsFixture
	if err := json.Unmarshal(platformtest.Fixture(t, "iface", "windows-routes-metrics-constructed.json"), &f); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Source, "CONSTRUCTED") {
		t.Fatal("the fixture must say it is constructed")
	}
	names := map[uint32]string{}
	for k, v := range f.Names {
		i, err := strconv.ParseUint(k, 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		names[uint32(i)] = v
	}
	return f, names
}

// lookup answers as GetIpInterfaceEntry would from the fixture, and counts
// the questions.
func (f winMetricsFixture) lookup(asked map[string]int) func(uint16, uint64) (uint32, bool) {
	return func(family uint16, luid uint64) (uint32, bool) {
		asked[fmt.Sprintf("%d/%d", family, luid)]++
		for _, m := range f.Metrics {
			if m.Family == family && m.Luid == luid {
				return m.Metric, true
			}
		}
		return 0, false
	}
}

// usedDefaults returns the interfaces of the lowest-metric default routes
// of one family: the default Windows sends traffic by.
func usedDefaults(rs []Route, v4 bool) []string {
	best, names := -1, []string(nil)
	for _, r := range rs {
		if !r.IsDefault() || r.Destination.Addr().Is4() != v4 {
			continue
		}
		switch {
		case best < 0 || r.Metric < best:
			best, names = r.Metric, []string{r.Interface}
		case r.Metric == best:
			names = append(names, r.Interface)
		}
	}
	return names
}

func TestWinRouteMetricsAddInterfaceMetric(t *testing.T) {
	f, names := loadWinMetricsFixture(t)
	asked := map[string]int{}
	rs := routesFromWin(WithInterfaceMetrics(f.Routes, f.lookup(asked)), names)

	want := []string{"0.0.0.0/0 Ethernet 25", "::/0 Ethernet 25", "0.0.0.0/0 Wi-Fi 50", "0.0.0.0/0 NordLynx 5", "::/0 NordLynx 6"}
	if got := defaults(rs); !slices.Equal(got, want) {
		t.Errorf("defaults %q, want %q", got, want)
	}
	// By route metric alone the three IPv4 defaults tie at 0 and Ethernet's
	// IPv6 default (0) beats the VPN's (1); Windows uses the VPN's for both.
	if got := usedDefaults(rs, true); !slices.Equal(got, []string{"NordLynx"}) {
		t.Errorf("IPv4 default used: %q, want NordLynx alone", got)
	}
	if got := usedDefaults(rs, false); !slices.Equal(got, []string{"NordLynx"}) {
		t.Errorf("IPv6 default used: %q, want NordLynx", got)
	}
	// An on-link route keeps its own metric plus its interface's.
	for _, r := range rs {
		if r.Destination.String() == "192.168.1.0/24" && r.Metric != 256+25 {
			t.Errorf("LAN route metric %d, want 281", r.Metric)
		}
	}
}

func TestWithInterfaceMetricsAsksOncePerInterfaceAndFamily(t *testing.T) {
	f, _ := loadWinMetricsFixture(t)
	asked := map[string]int{}
	WithInterfaceMetrics(f.Routes, f.lookup(asked))
	want := map[string]int{
		"2/1688849877041152":   1, // Ethernet, IPv4: two routes, one question
		"23/1688849877041152":  1, // Ethernet, IPv6
		"2/19984723380011008":  1, // Wi-Fi, IPv4 only
		"2/14918173815996416":  1, // NordLynx, IPv4: two routes
		"23/14918173815996416": 1,
	}
	if fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
}

func TestWithInterfaceMetricsUnreadable(t *testing.T) {
	rows := []WinRoute{
		{IfIndex: 7, IfLuid: 99, Destination: "0.0.0.0/0", NextHop: "10.1.1.1", Metric: 3},
		{IfIndex: 7, IfLuid: 99, Destination: "not a prefix", Metric: 4},
	}
	calls := 0
	got := WithInterfaceMetrics(rows, func(uint16, uint64) (uint32, bool) { calls++; return 0, false })
	if got[0].IfMetric != 0 || calls != 1 {
		t.Errorf("rows %+v after %d questions: want IfMetric 0, one question", got, calls)
	}
	if rs := routesFromWin(got, map[uint32]string{7: "eth"}); len(rs) != 1 || rs[0].Metric != 3 {
		t.Errorf("routes %+v: want the one default with its route metric 3", rs)
	}
}
