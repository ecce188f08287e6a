// Package config holds Clearance's settings: the defaults (README, Configuration) and
// the TOML file that overrides them. Loading never guesses: an unknown key
// or a bad value is an error that names the file, the line and the key.
package config

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is every setting a user can override. Key names are documented in
// the README, with their defaults (TestREADMEConfigTable keeps the two
// alike); they are a public contract.
type Config struct {
	Check     Check     `toml:"check"`
	Network   Network   `toml:"network"`
	Clock     Clock     `toml:"clock"`
	DNS       DNS       `toml:"dns"`
	Endpoints Endpoints `toml:"endpoints"`
	Status    Status    `toml:"status"`
	Agent     Agent     `toml:"agent"`
	Metrics   Metrics   `toml:"metrics"`
	OTLP      OTLP      `toml:"otlp"`
}

// Check holds settings of the whole run.
type Check struct {
	// Deadline bounds one run of all checks. Default 10s.
	Deadline Duration `toml:"deadline"`
}

// Network holds the settings of the network check.
type Network struct {
	// Witness is a reliable third-party URL checked before blaming OpenAI.
	Witness string `toml:"witness"`
	// CaptivePortal is a plain-HTTP URL that answers 204 when nothing intercepts.
	CaptivePortal string `toml:"captive_portal"`
	// Timeout bounds the network check. Default 5s.
	Timeout Duration `toml:"timeout"`
	// UplinkAddresses are "ip:port" addresses connected to, besides those
	// where probed hosts last answered and the resolver's own, when no
	// name resolves in time: any answer shows that the network works and
	// the resolver does not. Default: Cloudflare's and Google's public
	// resolvers on port 443.
	UplinkAddresses []string `toml:"uplink_addresses"`
}

// Clock holds the settings of the clock check.
type Clock struct {
	// NTPServers are asked concurrently; "host" or "host:port".
	NTPServers []string `toml:"ntp_servers"`
	// MinAnswers is how many valid NTP answers are wanted. Default 3.
	MinAnswers int `toml:"min_answers"`
	// WarningSeconds and CriticalSeconds are thresholds on |offset|. Defaults 15 and 60.
	WarningSeconds  float64 `toml:"warning_seconds"`
	CriticalSeconds float64 `toml:"critical_seconds"`
	// Timeout bounds the clock check. Default 4s.
	Timeout Duration `toml:"timeout"`
}

// DNS holds the settings of the dns check.
type DNS struct {
	// Timeout bounds the dns check. Default 4s.
	Timeout Duration `toml:"timeout"`
}

// Endpoints holds the settings of the endpoints check.
type Endpoints struct {
	// Hosts are the URLs probed, in order of importance.
	Hosts []string `toml:"hosts"`
	// Trace is Cloudflare's /cdn-cgi/trace on an OpenAI host.
	Trace string `toml:"trace"`
	// Timeout bounds the endpoints check. Default 6s.
	Timeout Duration `toml:"timeout"`
}

// Status holds the settings of the status check.
type Status struct {
	// URL is the Statuspage-compatible summary.json of OpenAI.
	URL string `toml:"url"`
	// Timeout bounds the status check. Default 5s.
	Timeout Duration `toml:"timeout"`
}

// Agent holds the settings of the background service.
type Agent struct {
	// Interval is the time between full checks while all is well. Default 5m;
	// each wait has up to a tenth added at random, so that machines started
	// together do not check together.
	Interval Duration `toml:"interval"`
	// ActiveInterval replaces Interval while a finding of warning or above is
	// pending or shown. Default 30s.
	ActiveInterval Duration `toml:"active_interval"`
	// ConfirmAfter is how long a new finding waits for a second measurement
	// before a person is told of it. Default 5s.
	ConfirmAfter Duration `toml:"confirm_after"`
	// PrivilegedFixes lets people run the fixes that change the system (time
	// sync, DNS flush, public DNS). An administrator can switch them off.
	// Default true.
	PrivilegedFixes bool `toml:"privileged_fixes"`
}

// Metrics holds the agent's Prometheus outputs (README, Metrics). Both are
// off unless written: a machine that nobody scrapes opens no port.
type Metrics struct {
	// Listen is the host:port the agent serves /metrics on; "" serves
	// nothing. A host other than loopback exposes the numbers to the
	// network, which is its writer's choice: an empty host ("":9817") is
	// refused, so that every address is one somebody wrote.
	Listen string `toml:"listen"`
	// Textfile is the absolute path of a *.prom file written after every
	// run for node_exporter's textfile collector; "" writes nothing.
	Textfile string `toml:"textfile"`
}

// OTLP holds the agent's push of the same numbers to an OpenTelemetry
// collector.
type OTLP struct {
	// Endpoint is the collector's OTLP/HTTP URL; "" pushes nothing. A user
	// and password in it (https://user:token@collector) are sent as HTTP
	// basic authentication, and shown nowhere (RedactURL).
	Endpoint string `toml:"endpoint"`
}

// Default returns the defaults the README lists.
func Default() Config {
	return Config{
		Check: Check{Deadline: Duration(10 * time.Second)},
		Network: Network{
			Witness:       "https://www.cloudflare.com/cdn-cgi/trace",
			CaptivePortal: "http://cp.cloudflare.com/",
			Timeout:       Duration(5 * time.Second),
			UplinkAddresses: []string{
				"1.1.1.1:443", "8.8.8.8:443",
				"[2606:4700:4700::1111]:443", "[2001:4860:4860::8888]:443",
			},
		},
		Clock: Clock{
			NTPServers:      []string{"time.cloudflare.com", "time.google.com", "pool.ntp.org", "time.windows.com", "time.apple.com"},
			MinAnswers:      3,
			WarningSeconds:  15,
			CriticalSeconds: 60,
			Timeout:         Duration(4 * time.Second),
		},
		DNS: DNS{Timeout: Duration(4 * time.Second)},
		Endpoints: Endpoints{
			Hosts: []string{
				"https://chatgpt.com/",
				"https://auth.openai.com/",
				"https://cdn.oaistatic.com/",
				"https://api.openai.com/v1/models",
			},
			Trace:   "https://chatgpt.com/cdn-cgi/trace",
			Timeout: Duration(6 * time.Second),
		},
		Status: Status{
			URL:     "https://status.openai.com/api/v2/summary.json",
			Timeout: Duration(5 * time.Second),
		},
		Agent: Agent{
			Interval:        Duration(5 * time.Minute),
			ActiveInterval:  Duration(30 * time.Second),
			ConfirmAfter:    Duration(5 * time.Second),
			PrivilegedFixes: true,
		},
	}
}

// Duration is a time.Duration written as "5s" or "1m30s" in the file.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write it like \"5s\" or \"1m30s\")", b)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// problem is a bad value found after decoding, located by its key path.
type problem struct {
	key []string
	msg string
}

// bounded is a duration with its sensible range.
type bounded struct {
	d        Duration
	key      []string
	min, max time.Duration
}

// durations lists every duration of the file with its range. The README's
// configuration table states each range for people; TestREADMEConfigTable
// fails when the two differ, and TestEveryDurationIsBounded when a
// duration has none. Lower bounds keep a typo ("1ns")
// from turning the agent into a busy loop that hammers OpenAI's hosts and
// the time servers; upper bounds keep one ("9999999h") from switching a
// check off, and the scheduler's arithmetic far from overflow.
func (c *Config) durations() []bounded {
	const timeoutMin, timeoutMax = 100 * time.Millisecond, 5 * time.Minute
	return []bounded{
		{c.Check.Deadline, []string{"check", "deadline"}, time.Second, 10 * time.Minute},
		{c.Network.Timeout, []string{"network", "timeout"}, timeoutMin, timeoutMax},
		{c.Clock.Timeout, []string{"clock", "timeout"}, timeoutMin, timeoutMax},
		{c.DNS.Timeout, []string{"dns", "timeout"}, timeoutMin, timeoutMax},
		{c.Endpoints.Timeout, []string{"endpoints", "timeout"}, timeoutMin, timeoutMax},
		{c.Status.Timeout, []string{"status", "timeout"}, timeoutMin, timeoutMax},
		{c.Agent.Interval, []string{"agent", "interval"}, 30 * time.Second, 24 * time.Hour},
		{c.Agent.ActiveInterval, []string{"agent", "active_interval"}, 10 * time.Second, 24 * time.Hour},
		{c.Agent.ConfirmAfter, []string{"agent", "confirm_after"}, time.Second, 5 * time.Minute},
	}
}

// validate returns the first bad value, by key path.
func (c *Config) validate() *problem {
	bad := func(msg string, key ...string) *problem { return &problem{key, msg} }
	// TOML has nan and inf: a threshold of nan raised clock-skew at every
	// run, and one of inf switched it off.
	if key := nonFinite(reflect.ValueOf(*c), nil); key != nil {
		return bad("must be a finite number, not nan or inf", key...)
	}
	for _, b := range c.durations() {
		if b.d.D() < b.min || b.d.D() > b.max {
			return bad(fmt.Sprintf("must be between %s and %s", shortDuration(b.min), shortDuration(b.max)), b.key...)
		}
	}
	urls := []struct {
		v       string
		schemes []string
		key     []string
	}{
		{c.Network.Witness, []string{"https"}, []string{"network", "witness"}},
		{c.Network.CaptivePortal, []string{"http"}, []string{"network", "captive_portal"}},
		{c.Endpoints.Trace, []string{"https"}, []string{"endpoints", "trace"}},
		{c.Status.URL, []string{"https", "http"}, []string{"status", "url"}},
	}
	for _, u := range urls {
		if msg := checkURL(u.v, u.schemes...); msg != "" {
			return bad(msg, u.key...)
		}
	}
	if len(c.Endpoints.Hosts) == 0 {
		return bad("needs at least one URL", "endpoints", "hosts")
	}
	for _, h := range c.Endpoints.Hosts {
		if msg := checkURL(h, "https"); msg != "" {
			return bad(msg, "endpoints", "hosts")
		}
	}
	for _, a := range c.Network.UplinkAddresses {
		if _, err := netip.ParseAddrPort(a); err != nil {
			return bad(fmt.Sprintf("%q is not an address and port (write it like \"1.1.1.1:443\" or \"[2606:4700:4700::1111]:443\")", a), "network", "uplink_addresses")
		}
	}
	if len(c.Clock.NTPServers) == 0 {
		return bad("needs at least one server", "clock", "ntp_servers")
	}
	for _, s := range c.Clock.NTPServers {
		if s == "" {
			return bad("has an empty server name", "clock", "ntp_servers")
		}
	}
	if c.Clock.MinAnswers < 1 {
		return bad("must be at least 1", "clock", "min_answers")
	}
	if c.Clock.WarningSeconds <= 0 {
		return bad("must be more than 0", "clock", "warning_seconds")
	}
	if c.Clock.CriticalSeconds < c.Clock.WarningSeconds {
		return bad("must not be below warning_seconds", "clock", "critical_seconds")
	}
	if c.Agent.Interval < c.Agent.ActiveInterval {
		return bad("must not be shorter than active_interval", "agent", "interval")
	}
	if msg := checkListen(c.Metrics.Listen); msg != "" {
		return bad(msg, "metrics", "listen")
	}
	if msg := checkTextfile(c.Metrics.Textfile); msg != "" {
		return bad(msg, "metrics", "textfile")
	}
	if c.OTLP.Endpoint != "" {
		if msg := checkURL(c.OTLP.Endpoint, "https", "http"); msg != "" {
			return bad(msg, "otlp", "endpoint")
		}
	}
	return nil
}

// checkListen accepts "" (off) or a host and a port. The host may be a
// name ("localhost") or an address; an empty one would listen on every
// interface, so it must be written as such.
func checkListen(v string) string {
	if v == "" {
		return ""
	}
	h, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Sprintf("%q is not a host and port (write it like \"127.0.0.1:9817\")", v)
	}
	if h == "" {
		return fmt.Sprintf("%q has no host; write \"127.0.0.1:%s\" for this machine only, or \"0.0.0.0:%s\" if every network may read the metrics", v, port, port)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Sprintf("%q needs a port from 1 to 65535 (write it like \"127.0.0.1:9817\")", v)
	}
	return ""
}

// checkTextfile accepts "" (off) or an absolute path to a *.prom file:
// node_exporter's textfile collector reads only those, so another name
// would be written for nobody.
func checkTextfile(v string) string {
	switch {
	case v == "":
		return ""
	case !filepath.IsAbs(v):
		return fmt.Sprintf("%q must be an absolute path, like \"/var/lib/node_exporter/textfile/clearance.prom\"", v)
	case !strings.HasSuffix(v, ".prom") || len(filepath.Base(v)) <= len(".prom"):
		return fmt.Sprintf("%q must name a file ending in .prom, the only files node_exporter's textfile collector reads", v)
	}
	return ""
}

// nonFinite returns the key path of the first number under v that is NaN
// or infinite, or nil.
func nonFinite(v reflect.Value, prefix []string) []string {
	for i := 0; i < v.NumField(); i++ {
		key := append(slices.Clip(prefix), v.Type().Field(i).Tag.Get("toml"))
		switch f := v.Field(i); f.Kind() {
		case reflect.Struct:
			if k := nonFinite(f, key); k != nil {
				return k
			}
		case reflect.Float32, reflect.Float64:
			if math.IsNaN(f.Float()) || math.IsInf(f.Float(), 0) {
				return key
			}
		}
	}
	return nil
}

// shortDuration writes 5m and 24h rather than 5m0s and 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func checkURL(v string, schemes ...string) string {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not a URL", RedactURL(v))
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return ""
		}
	}
	return fmt.Sprintf("%q must start with %s://", RedactURL(v), schemes[0])
}

// Keys lists every key of the file as "table.key", for documentation.
func Keys() []string {
	var keys []string
	walkKeys(reflect.TypeOf(Config{}), "", &keys)
	return keys
}

func walkKeys(t reflect.Type, prefix string, out *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := prefix + f.Tag.Get("toml")
		if f.Type.Kind() == reflect.Struct {
			walkKeys(f.Type, name+".", out)
			continue
		}
		*out = append(*out, name)
	}
}
