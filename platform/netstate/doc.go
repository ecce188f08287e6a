// Package netstate reads the network as the machine sees it — interfaces,
// routes, a Tailscale exit node — and watches for changes to it (netlink on
// Linux, the route socket on macOS, change notifications on Windows),
// without polling. It never changes the network.
package netstate
