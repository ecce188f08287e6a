package vpnid

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/platform/netstate"
)

// Signals: why a tunnel is judged to carry traffic to OpenAI. The first
// four decide; the last two only support a verdict made by them.
const (
	SignalRouteToChatGPT = "route-to-chatgpt"    // the kernel routes chatgpt.com through the tunnel
	SignalDefaultRoute   = "default-route"       // the preferred default route goes through it
	SignalSplitDefault   = "split-default"       // 0.0.0.0/1 + 128.0.0.0/1 (or ::/1 + 8000::/1) through it
	SignalExitNode       = "tailscale-exit-node" // tailscale status reports an exit node online
	SignalFakeIP         = "fake-ip"             // chatgpt.com resolves into a VPN client's fake-IP range
	SignalClientProcess  = "client-process"      // the vendor's client process runs
)

// Facts are what the vpn check measured. A nil Path or false RoutesKnown
// means that signal could not be measured, not that it is absent.
type Facts struct {
	Interfaces  []netstate.Interface
	Routes      []netstate.Route
	RoutesKnown bool
	Path        *Path
	Processes   []string
	FakeIPs     []netip.Addr
	ExitNode    *netstate.TailscaleExitNode
}

// Path is the kernel's route to OpenAI: the local address it would use.
type Path struct {
	Host   string
	Addr   netip.Addr
	Source netip.Addr
}

// Judged is one interface as shown in the check's data.
type Judged struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Kind        Kind     `json:"kind"`
	Up          bool     `json:"up"`
	Addresses   []string `json:"addresses"`
	Vendor      string   `json:"vendor,omitempty"`
	Counted     bool     `json:"counted"`
	Reason      string   `json:"reason"`
}

// Verdict is the judgment: whether a VPN carries traffic to OpenAI, which
// and how, and the reasoning for a person.
type Verdict struct {
	Active     bool
	Interface  string
	Vendor     string
	FullTunnel bool
	Signals    []string
	// Undecided is set when neither the route to OpenAI nor the routing
	// table could be read: no verdict either way.
	Undecided bool
	// PathInterface is the interface that owns the route's source address.
	PathInterface string
	Interfaces    []Judged
	Clients       []string // vendors whose client process runs
	Notes         []string
	Summary       string
}

// judgedIface is an interface with its classification, during judging.
type judgedIface struct {
	iface     netstate.Interface
	class     Class
	usable    bool
	notUsable string
}

// Judge turns facts into a verdict. The route to chatgpt.com decides when
// it is known, because it respects split tunnelling and policy routing;
// default and split-default routes decide only when it is not.
func Judge(f Facts) Verdict {
	list := make([]judgedIface, len(f.Interfaces))
	for k, i := range f.Interfaces {
		u, why := Usable(i)
		list[k] = judgedIface{iface: i, class: Classify(i), usable: u, notUsable: why}
	}
	v := Verdict{Clients: clientVendors(f.Processes)}
	routed := fullRoutes(f.Routes, list)
	pathIf := pathInterface(list, f.Path)

	carrier := -1
	switch {
	case pathIf >= 0:
		if isTunnel(list[pathIf]) && list[pathIf].iface.Up {
			carrier = pathIf
			v.Signals = append(v.Signals, SignalRouteToChatGPT)
		}
	case f.RoutesKnown:
		carrier = firstRouted(list, routed)
	}
	if carrier < 0 && pathIf < 0 && exitNodeOnline(f.ExitNode) {
		carrier = firstMesh(list, Tailscale)
	}
	if carrier >= 0 {
		v.Active = true
		c := list[carrier]
		v.Interface = c.iface.Name
		v.Signals = append(v.Signals, routed[c.iface.Name]...)
		if c.class.Vendor == Tailscale && exitNodeOnline(f.ExitNode) {
			v.Signals = append(v.Signals, SignalExitNode)
		}
		v.FullTunnel = len(routed[c.iface.Name]) > 0 || slices.Contains(v.Signals, SignalExitNode)
		v.Vendor = c.class.Vendor
		if v.Vendor == "" {
			v.Vendor = onlyVendor(v.Clients)
		}
		if len(f.FakeIPs) > 0 {
			v.Signals = append(v.Signals, SignalFakeIP)
		}
		if v.Vendor != "" && slices.Contains(v.Clients, v.Vendor) {
			v.Signals = append(v.Signals, SignalClientProcess)
		}
	}
	if pathIf >= 0 {
		v.PathInterface = list[pathIf].iface.Name
	}
	v.Undecided = pathIf < 0 && !f.RoutesKnown && carrier < 0
	v.Interfaces = describe(list, carrier, routed, pathIf)
	v.Notes = notes(f, v, list)
	v.Summary = summary(v)
	return v
}

func isTunnel(j judgedIface) bool { return j.class.Kind == Tunnel || j.class.Kind == Mesh }

// ClientsMatter reports whether the running processes can change what
// Judge says of f (whose Processes it ignores): whether a tunnel or mesh
// interface could carry traffic — usable, or up and owning the source
// address of the route to ChatGPT — so that a client's name may be its
// vendor, or be said to be connected beside the path. Every carrier Judge
// can pick is such an interface, so without one no verdict depends on the
// processes and they need not be listed; a client that runs with no such
// tunnel then goes unmentioned, as it carries nothing. (macOS's own utun0–3
// are not such tunnels: they hold only link-local addresses.)
func ClientsMatter(f Facts) bool {
	for _, i := range f.Interfaces {
		if k := Classify(i).Kind; k != Tunnel && k != Mesh {
			continue
		}
		if usable, _ := Usable(i); usable {
			return true
		}
		if i.Up && f.Path != nil && f.Path.Source.IsValid() && owns(i, f.Path.Source) {
			return true
		}
	}
	return false
}

func exitNodeOnline(e *netstate.TailscaleExitNode) bool { return e != nil && e.InUse && e.Online }

// pathInterface finds the interface that owns the route's source address.
func pathInterface(list []judgedIface, p *Path) int {
	if p == nil || !p.Source.IsValid() {
		return -1
	}
	for k, j := range list {
		if owns(j.iface, p.Source) {
			return k
		}
	}
	return -1
}

// firstRouted picks the usable tunnel that the routing table sends
// everything through, preferring a VPN over a mesh network.
func firstRouted(list []judgedIface, routed map[string][]string) int {
	for _, kind := range []Kind{Tunnel, Mesh} {
		for k, j := range list {
			if j.class.Kind == kind && j.usable && len(routed[j.iface.Name]) > 0 {
				return k
			}
		}
	}
	return -1
}

func firstMesh(list []judgedIface, vendor string) int {
	for k, j := range list {
		if j.class.Kind == Mesh && j.class.Vendor == vendor && j.usable {
			return k
		}
	}
	return -1
}

// fullRoutes returns, per interface, how the routing table sends all
// traffic of a family through it: the two halves of a split default (they
// win over any /0 by being longer), or else the preferred default route
// among those on interfaces that are up.
func fullRoutes(routes []netstate.Route, list []judgedIface) map[string][]string {
	up := map[string]bool{}
	for _, j := range list {
		up[j.iface.Name] = j.iface.Up
	}
	out := map[string][]string{}
	add := func(name, signal string) {
		if !slices.Contains(out[name], signal) {
			out[name] = append(out[name], signal)
		}
	}
	for _, v4 := range []bool{true, false} {
		if name := splitDefault(routes, v4); name != "" {
			add(name, SignalSplitDefault)
			continue
		}
		for _, name := range preferredDefault(routes, v4, up) {
			add(name, SignalDefaultRoute)
		}
	}
	return out
}

// splitDefault returns the interface carrying both halves of the address
// space of one family, or "".
func splitDefault(routes []netstate.Route, v4 bool) string {
	lowHalf, highHalf := map[string]bool{}, map[string]bool{}
	for _, r := range routes {
		if !r.IsSplitDefault() || r.Destination.Addr().Is4() != v4 {
			continue
		}
		if r.Destination.Addr().AsSlice()[0]&0x80 == 0 { // 0.0.0.0/1 or ::/1
			lowHalf[r.Interface] = true
		} else { // 128.0.0.0/1 or 8000::/1
			highHalf[r.Interface] = true
		}
	}
	for name := range lowHalf {
		if highHalf[name] {
			return name
		}
	}
	return ""
}

// preferredDefault returns the interfaces of the lowest-metric default
// routes of one family. Routes on interfaces known to be down carry
// nothing; routes on interfaces not listed are kept.
func preferredDefault(routes []netstate.Route, v4 bool, up map[string]bool) []string {
	best, names := -1, []string(nil)
	for _, r := range routes {
		if !r.IsDefault() || r.Destination.Addr().Is4() != v4 {
			continue
		}
		if isUp, listed := up[r.Interface]; listed && !isUp {
			continue
		}
		switch {
		case best < 0 || r.Metric < best:
			best, names = r.Metric, []string{r.Interface}
		case r.Metric == best && !slices.Contains(names, r.Interface):
			names = append(names, r.Interface)
		}
	}
	return names
}

// clientVendors names the VPN clients among the running processes.
func clientVendors(procs []string) []string {
	var out []string
	for _, p := range procs {
		if v := VendorFromProcess(p); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// onlyVendor names an unnamed tunnel after the one VPN client that runs,
// if exactly one (mesh clients aside) does.
func onlyVendor(clients []string) string {
	var vpns []string
	for _, c := range clients {
		if !isMesh(c) {
			vpns = append(vpns, c)
		}
	}
	if len(vpns) == 1 {
		return vpns[0]
	}
	return ""
}

// describe explains, per interface, why it was or was not counted.
func describe(list []judgedIface, carrier int, routed map[string][]string, pathIf int) []Judged {
	out := make([]Judged, 0, len(list))
	for k, j := range list {
		d := Judged{
			Name: j.iface.Name, Description: j.iface.Description, Kind: j.class.Kind,
			Up: j.iface.Up, Vendor: j.class.Vendor, Counted: k == carrier, Addresses: []string{},
		}
		for _, p := range j.iface.Addrs {
			d.Addresses = append(d.Addresses, p.String())
		}
		d.Reason = reason(j, k == carrier, k == pathIf, pathIf >= 0, routed[j.iface.Name])
		out = append(out, d)
	}
	return out
}

func reason(j judgedIface, carrier, isPath, pathKnown bool, routed []string) string {
	switch {
	case carrier:
		return j.class.Why + ": carries traffic to ChatGPT"
	case j.class.Kind == Loopback:
		return "loopback"
	case j.class.Kind == Virtual:
		return j.class.Why + ", not a VPN"
	case j.class.Kind == Other && isPath:
		return "traffic to ChatGPT leaves here; not a tunnel"
	case j.class.Kind == Other:
		return j.class.Why
	case !j.usable:
		return j.class.Why + ", not counted: " + j.notUsable
	case j.class.Kind == Mesh && len(routed) == 0:
		return j.class.Vendor + " without an exit node reaches only your own devices"
	case pathKnown && len(routed) > 0:
		return j.class.Why + ": routes everything, but traffic to ChatGPT bypasses it"
	}
	return j.class.Why + ": up, but traffic to ChatGPT does not go through it"
}

// notes are the plain-language remarks shown in the data: clients that
// run without carrying traffic, and fake-IP answers without a tunnel.
func notes(f Facts, v Verdict, list []judgedIface) []string {
	var out []string
	for _, c := range v.Clients {
		if v.Active && c == v.Vendor {
			continue
		}
		out = append(out, clientNote(c, list))
	}
	if !v.Active && len(f.FakeIPs) > 0 {
		out = append(out, fmt.Sprintf("%s resolves to %s, an address VPN and proxy clients (Clash, Surge, Zscaler, WARP) hand out: one of them intercepts traffic to ChatGPT", hostOf(f.Path), f.FakeIPs[0]))
	}
	return out
}

func hostOf(p *Path) string {
	if p != nil && p.Host != "" {
		return p.Host
	}
	return "chatgpt.com"
}

func clientNote(vendor string, list []judgedIface) string {
	connected := false
	for _, j := range list {
		if j.class.Vendor == vendor && j.usable {
			connected = true
		}
	}
	switch {
	case isMesh(vendor) && connected:
		return vendor + " is connected without an exit node: it reaches only your own devices"
	case connected:
		return vendor + " is connected, but traffic to ChatGPT does not go through it"
	}
	return vendor + " is running but not connected"
}

// summary is the one line a person reads.
func summary(v Verdict) string {
	if v.Active {
		label := "A VPN tunnel (" + v.Interface + ")"
		if v.Vendor != "" {
			label = v.Vendor + " (" + v.Interface + ")"
		}
		if v.FullTunnel {
			return label + " carries all traffic"
		}
		return label + " carries traffic to ChatGPT"
	}
	if v.Undecided {
		return "could not tell whether a VPN carries traffic to ChatGPT: neither the route to ChatGPT nor the routing table could be read"
	}
	s := "no VPN on the path to ChatGPT"
	if len(v.Notes) > 0 {
		s += " (" + strings.Join(v.Notes, "; ") + ")"
	}
	return s
}
