// Package vpnid names VPNs and judges whether one carries traffic to
// OpenAI. It is pure: it reads facts gathered elsewhere (interfaces,
// routes, the route to chatgpt.com, process names) and never touches the
// system, so that every rule is table-tested on every OS. A name match alone
// never makes a verdict: an installed but idle VPN adapter is the classic
// false alarm (frostwire #642, Outline #262).
package vpnid

import "strings"

// Vendor names as a person knows them.
const (
	NordVPN       = "NordVPN"
	ExpressVPN    = "ExpressVPN"
	ProtonVPN     = "Proton VPN"
	Mullvad       = "Mullvad"
	Surfshark     = "Surfshark"
	PIA           = "Private Internet Access"
	Windscribe    = "Windscribe"
	WireGuard     = "WireGuard"
	OpenVPN       = "OpenVPN"
	Cisco         = "Cisco Secure Client"
	GlobalProtect = "GlobalProtect"
	FortiClient   = "FortiClient"
	Zscaler       = "Zscaler"
	WARP          = "Cloudflare WARP"
	Tailscale     = "Tailscale"
	NetBird       = "NetBird"
	ZeroTier      = "ZeroTier"
	PulseSecure   = "Pulse Secure"
	CheckPoint    = "Check Point"
	Sangfor       = "Sangfor"
	Radmin        = "Radmin VPN"
	IPsec         = "IPsec"
	PPP           = "PPP"
)

// nameRule matches an interface name. Longer, vendor-specific prefixes come
// before generic ones ("wg-mullvad" before "wg").
type nameRule struct {
	prefix string
	vendor string
	exact  bool
}

// Interface name prefixes, from vpn-and-proxy.md §3.1 (GeiserX/VPN-Bypass,
// eyedeekay/netdetect) unless marked otherwise. "tun", "tap" and "utun" are
// generic: they make a tunnel without naming a vendor.
var nameRules = []nameRule{
	{prefix: "nordlynx", vendor: NordVPN},
	{prefix: "nordtun", vendor: NordVPN}, // NordVPN's OpenVPN device on Linux [unconfirmed]
	{prefix: "proton", vendor: ProtonVPN},
	{prefix: "pvpn", vendor: ProtonVPN},
	{prefix: "wg-mullvad", vendor: Mullvad},
	{prefix: "wgpia", vendor: PIA},           // PIA's WireGuard device on Linux [unconfirmed]
	{prefix: "cloudflarewarp", vendor: WARP}, // WARP's device on Linux and macOS [unconfirmed]
	{prefix: "cscotun", vendor: Cisco},       // AnyConnect on Linux [unconfirmed]
	{prefix: "zcctun", vendor: Zscaler},      // Zscaler Client Connector on Linux [unconfirmed]
	{prefix: "tailscale", vendor: Tailscale},
	{prefix: "wt0", vendor: NetBird, exact: true},
	{prefix: "gpd", vendor: GlobalProtect},
	{prefix: "feth", vendor: FortiClient},
	{prefix: "zt", vendor: ZeroTier},
	{prefix: "wg", vendor: WireGuard},
	{prefix: "ipsec", vendor: IPsec},
	{prefix: "ppp", vendor: PPP},
}

// VendorFromName names the VPN behind an interface name, or "".
func VendorFromName(name string) string {
	n := strings.ToLower(name)
	for _, r := range nameRules {
		if (r.exact && n == r.prefix) || (!r.exact && strings.HasPrefix(n, r.prefix)) {
			return r.vendor
		}
	}
	// Windows friendly names are chosen by the VPN ("NordLynx", "ProtonVPN").
	return vendorInText(n)
}

// descRule matches a Windows adapter description (or friendly name),
// case-insensitively: frostwire #955 broke on "Tap" versus "TAP".
type descRule struct {
	contains string
	vendor   string
}

// Windows adapter descriptions, from vpn-and-proxy.md §3.2, and vendor
// words that their adapters carry. Vendor-specific words come before the
// drivers they ship (ExpressVPN's Wintun adapter is ExpressVPN).
var descRules = []descRule{
	{"nordlynx", NordVPN},
	{"nordvpn", NordVPN},
	{"expressvpn", ExpressVPN},
	{"protonvpn", ProtonVPN},
	{"proton vpn", ProtonVPN},
	{"mullvad", Mullvad},
	{"surfshark", Surfshark},
	{"private internet access", PIA},
	{"windscribe", Windscribe},
	{"cisco anyconnect", Cisco},
	{"cisco secure client", Cisco},
	{"pangp", GlobalProtect},
	{"palo alto networks", GlobalProtect},
	{"fortinet", FortiClient},
	{"forticlient", FortiClient},
	{"zscaler", Zscaler},
	{"cloudflare warp", WARP},
	{"cloudflarewarp", WARP},
	{"tailscale", Tailscale},
	{"netbird", NetBird},
	{"zerotier", ZeroTier},
	{"sangfor", Sangfor},
	{"radmin vpn", Radmin},
	{"wireguard", WireGuard},
	{"wintun", WireGuard},
	{"openvpn", OpenVPN},
	{"tap-windows", OpenVPN},
}

// VendorFromDescription names the VPN behind a Windows adapter
// description, or "".
func VendorFromDescription(desc string) string { return vendorInText(strings.ToLower(desc)) }

func vendorInText(lower string) string {
	if lower == "" {
		return ""
	}
	for _, r := range descRules {
		if strings.Contains(lower, r.contains) {
			return r.vendor
		}
	}
	return ""
}

// Process names of VPN clients, lower case without ".exe", from
// vpn-and-proxy.md §3.3 (GeiserX/VPN-Bypass) and the vendors' own daemons.
var processVendors = map[string]string{
	"nordvpn": NordVPN, "nordvpnd": NordVPN, "nordvpn-service": NordVPN,
	"expressvpn": ExpressVPN, "expressvpnd": ExpressVPN, "expressvpn-service": ExpressVPN, "expressvpnservice": ExpressVPN,
	"protonvpn": ProtonVPN, "protonvpn-app": ProtonVPN, "protonvpnservice": ProtonVPN, "protonvpn.wireguardservice": ProtonVPN,
	"mullvad-daemon": Mullvad, "mullvad-vpn": Mullvad, "mullvad vpn": Mullvad,
	"surfshark": Surfshark, "surfshark.service": Surfshark,
	"pia-daemon": PIA, "pia-client": PIA, "pia-service": PIA,
	"windscribe": Windscribe, "windscribeservice": Windscribe, "windscribe-cli": Windscribe,
	"openvpn": OpenVPN, "openvpn-gui": OpenVPN, "openvpnserv": OpenVPN, "openvpnconnect": OpenVPN,
	"wireguard": WireGuard, "wg-go": WireGuard, "wireguard-go": WireGuard,
	"vpnagent": Cisco, "vpnagentd": Cisco, "secureclient": Cisco, "vpnui": Cisco,
	"pangps": GlobalProtect, "pangpa": GlobalProtect,
	"forticlient": FortiClient, "fctservctl": FortiClient, "fctservctl2": FortiClient,
	"zscaler": Zscaler, "zsatunnel": Zscaler, "zsaservice": Zscaler,
	"warp-svc":       WARP,
	"tailscaled":     Tailscale,
	"netbird":        NetBird,
	"zerotier-one":   ZeroTier,
	"pulsesecure":    PulseSecure,
	"tracsrvwrapper": CheckPoint,
}

// VendorFromProcess names the VPN client a process belongs to, or "".
func VendorFromProcess(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimSuffix(n, ".exe")
	return processVendors[n]
}

// mesh vendors connect a person's own devices; they carry traffic to the
// internet only through an exit node (dracula/tmux #330).
func isMesh(vendor string) bool {
	return vendor == Tailscale || vendor == NetBird || vendor == ZeroTier
}
