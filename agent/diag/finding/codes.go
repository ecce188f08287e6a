package finding

import (
	"time"

	"github.com/clearance-app/clearance/agent/diag/fix"
)

// Every finding, in one place (docs/contracts.md lists them). Text is written for the person
// who sees it: what happened, why it matters for ChatGPT, what to do.
var (
	NetworkOffline = Register(&Definition{
		Code: "network-offline", Check: "network", Severity: Critical,
		Title:  "This computer is offline",
		Detail: "There is no route to the internet, or no server answers at all. ChatGPT cannot load until the connection is back. Check Wi-Fi or the cable; if a VPN has a kill switch, it may be blocking traffic while it reconnects.",
		Fixes:  []string{fix.Recheck},
	})
	CaptivePortal = Register(&Definition{
		Code: "captive-portal", Check: "network", Severity: Warning,
		Title:     "A network login page is in the way",
		Detail:    "This network (a hotel, airport or office Wi-Fi) intercepts web traffic until you sign in. ChatGPT will fail or show odd errors until then. Open the login page and accept the terms.",
		Fixes:     []string{fix.OpenCaptivePortal},
		DependsOn: []*Definition{NetworkOffline},
	})
	ClockSkew = Register(&Definition{
		Code: "clock-skew", Check: "clock", Severity: Warning,
		Title:     "The clock is wrong",
		Describe:  describeClockSkew,
		Detail:    "This computer's clock differs from the true time. Cloudflare's security checks and secure connections depend on a correct clock, so ChatGPT may refuse access or fail to load. Syncing the clock fixes it.",
		Fixes:     []string{fix.TimeSync},
		DependsOn: []*Definition{NetworkOffline},
	})
	ClockUnsynced = Register(&Definition{
		Code: "clock-unsynced", Check: "clock", Severity: Warning,
		Title:  "The clock is not kept in sync",
		Detail: "The operating system's time service is off or not running, so the clock will drift. It is fine today, but a drifting clock later breaks secure connections and Cloudflare checks. Turning time sync on prevents that.",
		Fixes:  []string{fix.TimeSync},
		// The clock is still right: no hurry, and a time service restarted
		// by an upgrade is back within a minute.
		ConfirmAfter: time.Minute,
	})
	VPNActive = Register(&Definition{
		Code: "vpn-active", Check: "vpn", Severity: Warning,
		Title:  "A VPN carries your ChatGPT traffic",
		Detail: "Traffic to ChatGPT leaves through a VPN. Cloudflare judges the VPN's shared exit address, which is a common cause of \"Access denied (Error 1020)\" and endless challenges. If ChatGPT fails, try another VPN location, exclude ChatGPT from the VPN (split tunnelling), or disconnect it.",
	})
	ProxyConfigured = Register(&Definition{
		Code: "proxy-configured", Check: "proxy", Severity: Info,
		Title:  "A proxy is configured",
		Detail: "Web traffic is set to go through a proxy. ChatGPT then sees the proxy's address, not yours; a proxy with a poor reputation, or one that alters requests, leads to blocks and challenges, and a proxy that does not answer cuts ChatGPT off entirely. If ChatGPT fails, try without the proxy.",
	})
	DNSFailure = Register(&Definition{
		Code: "dns-failure", Check: "dns", Severity: Critical,
		Title:     "OpenAI's names do not resolve",
		Detail:    "The DNS resolver this computer uses cannot find OpenAI's servers, so ChatGPT cannot load. Flushing the DNS cache, or switching to a public DNS resolver, usually fixes it.",
		Fixes:     []string{fix.DNSFlush, fix.DNSPublic},
		DependsOn: []*Definition{NetworkOffline, CaptivePortal}, // portals answer every name themselves
	})
	DNSSinkhole = Register(&Definition{
		Code: "dns-sinkhole", Check: "dns", Severity: Critical,
		Title:     "DNS sends OpenAI's names nowhere",
		Detail:    "The DNS resolver answers with a blocked or private address for OpenAI's servers, as ad blockers, parental controls and company filters do. ChatGPT cannot load through it. Flush the DNS cache, or switch to a public DNS resolver if the filter is not meant to apply.",
		Fixes:     []string{fix.DNSFlush, fix.DNSPublic},
		DependsOn: []*Definition{NetworkOffline, CaptivePortal}, // portals answer every name themselves
	})
	DNSPublicActive = Register(&Definition{
		Code: "dns-public-active", Check: "dns", Severity: Info,
		Title:   "Public DNS is in use",
		Detail:  "Clearance switched this computer to a public DNS resolver. Names that only your company's or home network's DNS knows may not resolve. Restore your own DNS settings when you no longer need it.",
		Fixes:   []string{fix.DNSRestore},
		Passive: true,
	})
	CloudflareBlocked = Register(&Definition{
		Code: "cloudflare-blocked", Check: "endpoints", Severity: Critical,
		Title:     "Cloudflare blocks this network (Error 1020)",
		Detail:    "Cloudflare, which protects ChatGPT, refuses requests from this computer's internet address: the \"Access denied (Error 1020)\" page. The block follows the address, not the browser. Disconnect a VPN or proxy, or try another network (a phone hotspot); if it persists, your provider's address has a poor reputation.",
		DependsOn: []*Definition{NetworkOffline, CaptivePortal},
	})
	CloudflareChallenge = Register(&Definition{
		Code: "cloudflare-challenge", Check: "endpoints", Severity: Info,
		Title:     "Cloudflare asks for a browser check",
		Detail:    "Cloudflare answers with a \"verify you are human\" challenge. This is not a block: a real browser normally passes it. If the check loops, open ChatGPT in a private window, which starts without extensions or old cookies.",
		Fixes:     []string{fix.OpenPrivateWindow},
		DependsOn: []*Definition{NetworkOffline, CaptivePortal},
	})
	RateLimited = Register(&Definition{
		Code: "rate-limited", Check: "endpoints", Severity: Warning,
		Title:     "Too many requests from this address",
		Detail:    "ChatGPT's servers are rate-limiting this internet address (\"Too many requests\", Error 1015 or HTTP 429). Wait before retrying: retrying quickly extends the block. A shared VPN or office address can hit the limit through other people's traffic.",
		DependsOn: []*Definition{NetworkOffline, CaptivePortal},
	})
	OpenAIUnreachable = Register(&Definition{
		Code: "openai-unreachable", Check: "endpoints", Severity: Critical,
		Title:     "OpenAI's servers cannot be reached",
		Detail:    "Connections to OpenAI's servers fail or time out, so ChatGPT cannot load. When other sites work, a firewall, the internet provider or a VPN is blocking the way; when none do, the connection itself is failing. Flush the DNS cache and check again; if it persists, try another network.",
		Fixes:     []string{fix.DNSFlush, fix.Recheck},
		DependsOn: []*Definition{NetworkOffline, DNSFailure, DNSSinkhole, CaptivePortal},
	})
	OpenAIError = Register(&Definition{
		Code: "openai-error", Check: "endpoints", Severity: Warning,
		Title:     "OpenAI's servers answer with errors",
		Detail:    "OpenAI's side answers with a server error (5xx), so the problem is not on this computer. Check the OpenAI status page and try again later.",
		Fixes:     []string{fix.OpenStatusPage},
		DependsOn: []*Definition{NetworkOffline, CaptivePortal},
	})
	TLSIntercepted = Register(&Definition{
		Code: "tls-intercepted", Check: "endpoints", Severity: Warning,
		Title:     "Secure connections are intercepted",
		Detail:    "The connection to ChatGPT is signed by an authority this computer does not trust: a company firewall, antivirus or filter is reading encrypted traffic. Cloudflare often challenges or blocks such connections. Ask the network's administrator, or try another network.",
		DependsOn: []*Definition{NetworkOffline, CaptivePortal, ClockSkew},
	})
	RegionUnsupported = Register(&Definition{
		Code: "region-unsupported", Check: "endpoints", Severity: Critical,
		Title:     "OpenAI does not serve this country or region",
		Detail:    "OpenAI reports that its services are not available where this connection comes from. If you are in a supported country, a VPN or proxy is probably making you appear elsewhere.",
		DependsOn: []*Definition{NetworkOffline, CaptivePortal},
	})
	ProbeLimited = Register(&Definition{
		Code: "probe-limited", Check: "endpoints", Severity: Info,
		Title:     "Clearance's own test was refused",
		Detail:    "Cloudflare refused Clearance's test request for its technical fingerprint (Error 1010). This says nothing about your browser, which is judged separately; this host's result is unknown.",
		DependsOn: []*Definition{NetworkOffline, CaptivePortal},
	})
	OpenAIOutage = Register(&Definition{
		Code: "openai-outage", Check: "status", Severity: Warning,
		Title:     "OpenAI reports a service problem",
		Detail:    "OpenAI's status page reports a problem with its services. ChatGPT may fail or be slow for everyone; nothing on this computer needs fixing. Follow the status page for updates.",
		Fixes:     []string{fix.OpenStatusPage},
		DependsOn: []*Definition{NetworkOffline},
	})
	BrowserExtensionRisk = Register(&Definition{
		Code: "browser-extension-risk", Check: "browser", Severity: Warning,
		Title:  "A browser extension changes web requests",
		Detail: "An enabled extension can change requests or pages, which Cloudflare may treat as a bot. Test ChatGPT in a private window, where extensions are usually off; if it works there, disable the extension for ChatGPT.",
		Fixes:  []string{fix.OpenPrivateWindow},
	})
	BrowserSideBlock = Register(&Definition{
		Code: "browser-side-block", Check: "browser", Severity: Warning,
		Title:  "The problem is in the browser",
		Detail: "ChatGPT shows an error in your browser, while Clearance reaches it fine from this computer. The cause is in the browser: old cookies, an extension or the browser's own DNS. Clear ChatGPT's cookies, or try a private window.",
		Fixes:  []string{fix.ClearSiteCookies, fix.OpenPrivateWindow},
	})
	BrowserDNSOverride = Register(&Definition{
		Code: "browser-dns-override", Check: "browser", Severity: Info,
		Title:  "A browser resolves names itself",
		Detail: "A browser is set to look up names over DNS-over-HTTPS with a resolver of its own, so what Clearance finds about this computer's DNS may not apply to it. If ChatGPT fails only in that browser, turn its secure DNS setting off, or to automatic, and try again.",
	})
	BrowserProxy = Register(&Definition{
		Code: "browser-proxy", Check: "browser", Severity: Info,
		Title:  "A browser uses a proxy of its own",
		Detail: "A browser sends its traffic through a proxy set in the browser itself, not the computer's. ChatGPT then sees that proxy's address, and a proxy that does not answer cuts the browser off while everything else works. If ChatGPT fails only in that browser, set its proxy back to the system's, or to none.",
	})
	BrowserOutdated = Register(&Definition{
		Code: "browser-outdated", Check: "browser", Severity: Info,
		Title:  "A browser is out of date",
		Detail: "A browser has not been updated for months. Cloudflare's checks expect a current browser, and an old one is more often challenged or refused. Update it, or let it update itself, and restart it.",
	})
	ConfigInvalid = Register(&Definition{
		Code: "config-invalid", Check: "agent", Severity: Warning,
		Passive: true,
		Title:   "The configuration file has an error",
		Detail:  "Clearance's configuration file has an unknown key or a bad value. The agent keeps running with the last good settings; fix the file to apply your changes.",
	})
)
