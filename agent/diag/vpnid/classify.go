package vpnid

import (
	"net/netip"
	"strings"

	"github.com/clearance-app/clearance/platform/netstate"
)

// Kind is what an interface is, for the question "could it be a VPN?".
type Kind string

const (
	// Tunnel is a VPN or other tunnel: TUN/TAP, WireGuard, utun, PPP,
	// Wintun, or an adapter a VPN vendor names.
	Tunnel Kind = "tunnel"
	// Mesh is Tailscale, NetBird or ZeroTier: a tunnel to the person's own
	// devices, on the path to the internet only with an exit node.
	Mesh Kind = "mesh"
	// Virtual is a container or virtual-machine network (docker0, br-*,
	// veth*, virbr*, vEthernet, VirtualBox, VMware): never a VPN.
	Virtual  Kind = "virtual"
	Loopback Kind = "loopback"
	// Other is everything else: Ethernet, Wi-Fi, cellular.
	Other Kind = "other"
)

// Windows interface types (IANA ifType). IF_TYPE_PROP_VIRTUAL is not in
// x/sys/windows; Wintun declares it (wintun.inf: *IfType = 53).
const (
	ifTypePPP         = 23
	ifTypePropVirtual = 53
	ifTypeTunnel      = 131
	ifTypeLoopback    = 24
)

// Linux link types (ARPHRD_*, include/uapi/linux/if_arp.h).
const (
	arphrdNone     = 65534 // tun and WireGuard devices
	arphrdPPP      = 512
	arphrdLoopback = 772
)

// Class is what Classify concludes about one interface.
type Class struct {
	Kind   Kind
	Vendor string // "" when not known
	Why    string // the evidence, for a person ("WireGuard device", "name docker0")
}

// virtualPrefixes name container and VM networks by interface name.
var virtualPrefixes = []string{
	"docker", "br-", "veth", "virbr", "vnet", "vboxnet", "vmnet", "lxcbr", "lxdbr",
	"cni", "flannel", "cali", "podman", "bridge", "vethernet", "anpi",
}

// virtualWords are found in Windows adapter descriptions or friendly names.
var virtualWords = []string{"hyper-v", "vethernet", "virtualbox", "vmware", "wsl", "docker"}

// Classify says what kind of interface i is and, when it can tell, whose.
// Virtual-machine and container networks are decided first, so that a
// bridge is never taken for a VPN for having no hardware address.
func Classify(i netstate.Interface) Class {
	name := strings.ToLower(i.Name)
	desc := strings.ToLower(i.Description)
	if i.Loopback || i.LinkType == arphrdLoopback || i.IfType == ifTypeLoopback {
		return Class{Kind: Loopback, Why: "loopback"}
	}
	if w := virtualMatch(name, desc, i.DevType); w != "" {
		return Class{Kind: Virtual, Why: w}
	}
	if transitionTunnel(name, desc) {
		return Class{Kind: Other, Why: "IPv6 transition or kernel tunnel (Teredo, ISATAP, 6to4, sit, GRE), not a VPN"}
	}
	vendor := VendorFromName(i.Name)
	if vendor == "" {
		vendor = VendorFromDescription(i.Description)
	}
	if isMesh(vendor) {
		return Class{Kind: Mesh, Vendor: vendor, Why: vendor + " interface"}
	}
	if why := tunnelEvidence(i, name, desc); why != "" {
		return Class{Kind: Tunnel, Vendor: vendorOrBlank(vendor), Why: why}
	}
	if vendor != "" && vendor != PPP && vendor != IPsec {
		return Class{Kind: Tunnel, Vendor: vendor, Why: "named by " + vendor}
	}
	return Class{Kind: Other, Why: "not a tunnel"}
}

func vendorOrBlank(v string) string {
	if v == PPP || v == IPsec {
		return "" // a protocol, not a vendor
	}
	return v
}

// virtualMatch returns why an interface is a container or VM network, or "".
func virtualMatch(name, desc, devType string) string {
	if devType == "bridge" {
		return "a bridge (containers or virtual machines)"
	}
	for _, p := range virtualPrefixes {
		if strings.HasPrefix(name, p) {
			return "container or virtual machine network (" + p + "…)"
		}
	}
	for _, w := range virtualWords {
		if strings.Contains(desc, w) {
			return "virtual machine adapter (" + w + ")"
		}
	}
	return ""
}

// transitionTunnel recognises the operating systems' own tunnels. Windows'
// Teredo adapter is a tunnel (IfType 131) with an IPv6 default route of its
// own; counting it would call every such machine a VPN user.
func transitionTunnel(name, desc string) bool {
	for _, w := range []string{"teredo", "isatap", "6to4", "ip-https", "iphttps"} {
		if strings.Contains(desc, w) || strings.Contains(name, w) {
			return true
		}
	}
	for _, p := range []string{"sit", "ip6tnl", "tunl", "gre", "gretap", "erspan", "ip6gre"} {
		if strings.HasPrefix(name, p) && strings.TrimLeft(name[len(p):], "0123456789") == "" {
			return true
		}
	}
	return false
}

// tunnelEvidence returns why an interface is a tunnel, or "".
func tunnelEvidence(i netstate.Interface, name, desc string) string {
	switch {
	case i.DevType == "wireguard":
		return "WireGuard device"
	case i.TunTap && i.TunFlags&netstate.TunFlagTAP != 0:
		return "TAP device"
	case i.TunTap:
		return "TUN device"
	case i.LinkType == arphrdPPP || i.IfType == ifTypePPP:
		if strings.Contains(desc, "pppoe") {
			return "" // a DSL link, not a VPN
		}
		return "PPP link"
	case i.IfType == ifTypePropVirtual:
		return "virtual tunnel adapter (Wintun or similar)"
	case i.IfType == ifTypeTunnel:
		return "tunnel adapter"
	case strings.Contains(desc, "tap-windows") || strings.Contains(desc, "tap adapter") || strings.Contains(desc, "wintun") || strings.Contains(desc, "tunnel"):
		return "tunnel adapter (" + i.Description + ")"
	case strings.HasPrefix(name, "utun"), strings.HasPrefix(name, "tun"), strings.HasPrefix(name, "tap"),
		strings.HasPrefix(name, "ipsec"), strings.HasPrefix(name, "ppp"), strings.HasPrefix(name, "gpd"):
		return "tunnel name"
	case i.LinkType == arphrdNone && i.PointToPoint:
		return "point-to-point link without hardware address"
	}
	return ""
}

// Usable says whether an interface could carry traffic to the internet:
// up, and with an address that is not link-local. macOS creates utun0–utun3
// for its own services with only fe80:: addresses (Tunnelblick #340), so a
// utun must have an IPv4 address (as GeiserX/VPN-Bypass requires).
func Usable(i netstate.Interface) (bool, string) {
	if !i.Up && i.AdminUp {
		return false, "no carrier (no VPN client holds it open, or it is not connected)"
	}
	if !i.Up {
		return false, "down"
	}
	var global, v4 bool
	for _, p := range i.Addrs {
		a := p.Addr()
		if a.IsLinkLocalUnicast() || a.IsLoopback() || !a.IsValid() {
			continue
		}
		global = true
		v4 = v4 || a.Is4()
	}
	switch {
	case len(i.Addrs) == 0:
		return false, "no address"
	case !global:
		return false, "only link-local addresses"
	case strings.HasPrefix(strings.ToLower(i.Name), "utun") && !v4:
		return false, "a macOS system tunnel (no IPv4 address)"
	}
	return true, ""
}

// owns reports whether addr is one of i's addresses.
func owns(i netstate.Interface, addr netip.Addr) bool {
	for _, p := range i.Addrs {
		if p.Addr().WithZone("") == addr.WithZone("") {
			return true
		}
	}
	return false
}
