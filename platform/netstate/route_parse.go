package netstate

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Route flags of /proc/net/route and /proc/net/ipv6_route (linux/route.h).
const (
	rtfUp     = 0x0001
	rtfReject = 0x0200
)

// ParseProcNetRoute reads /proc/net/route. It shows only the main routing
// table: routes that policy routing adds in other tables (wg-quick's
// fwmark table, Tailscale's table 52) are not in it. Rejecting and
// down routes are left out, since no traffic leaves through them.
//
// Addresses are 32-bit words in host byte order; like ParseProcNetListeners,
// this assumes a little-endian host.
func ParseProcNetRoute(data []byte) ([]Route, error) {
	var out []Route
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[0] == "Iface" {
			continue
		}
		r, ok, err := procRouteLine(f)
		if err != nil {
			return nil, fmt.Errorf("parse /proc/net/route line %q: %w", sc.Text(), err)
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

func procRouteLine(f []string) (Route, bool, error) {
	flags, err := strconv.ParseUint(f[3], 16, 32)
	if err != nil {
		return Route{}, false, fmt.Errorf("flags: %w", err)
	}
	if flags&rtfUp == 0 || flags&rtfReject != 0 {
		return Route{}, false, nil
	}
	dst, err1 := procHexIPv4(f[1])
	gw, err2 := procHexIPv4(f[2])
	mask, err3 := procHexIPv4(f[7])
	metric, err4 := strconv.Atoi(f[6])
	if err := firstErr(err1, err2, err3, err4); err != nil {
		return Route{}, false, err
	}
	bits := maskBits(mask.As4())
	if bits < 0 {
		return Route{}, false, fmt.Errorf("mask %s is not contiguous", mask)
	}
	r := Route{Interface: f[0], Destination: netip.PrefixFrom(dst, bits), Metric: metric}
	if !gw.IsUnspecified() {
		r.Gateway = gw
	}
	return r, true, nil
}

// procHexIPv4 reads "0100080A" (10.8.0.1 as a little-endian word).
func procHexIPv4(s string) (netip.Addr, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return netip.Addr{}, fmt.Errorf("bad IPv4 word %q", s)
	}
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], binary.LittleEndian.Uint32(b))
	return netip.AddrFrom4(a), nil
}

// maskBits returns the prefix length of a netmask, or -1 if it has holes.
func maskBits(m [4]byte) int {
	v := binary.BigEndian.Uint32(m[:])
	bits := 0
	for v&0x80000000 != 0 {
		bits++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return bits
}

// ParseProcNetIPv6Route reads /proc/net/ipv6_route: destination, its prefix
// length, source, its length, next hop, metric, refcount, use, flags and
// device, in hex. Unlike /proc/net/route it lists every table (local routes
// included), and the "unreachable" default route on lo, which is left out
// as a rejecting route.
func ParseProcNetIPv6Route(data []byte) ([]Route, error) {
	var out []Route
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		r, ok, err := procIPv6RouteLine(f)
		if err != nil {
			return nil, fmt.Errorf("parse /proc/net/ipv6_route line %q: %w", sc.Text(), err)
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

func procIPv6RouteLine(f []string) (Route, bool, error) {
	flags, err := strconv.ParseUint(f[8], 16, 32)
	if err != nil {
		return Route{}, false, fmt.Errorf("flags: %w", err)
	}
	if flags&rtfUp == 0 || flags&rtfReject != 0 {
		return Route{}, false, nil
	}
	dst, err1 := procHexIPv6(f[0])
	bits, err2 := strconv.ParseUint(f[1], 16, 8)
	gw, err3 := procHexIPv6(f[4])
	metric, err4 := strconv.ParseUint(f[5], 16, 32)
	if err := firstErr(err1, err2, err3, err4); err != nil {
		return Route{}, false, err
	}
	if bits > 128 {
		return Route{}, false, fmt.Errorf("prefix length %d", bits)
	}
	r := Route{Interface: f[9], Destination: netip.PrefixFrom(dst, int(bits)), Metric: int(metric)}
	if !gw.IsUnspecified() {
		r.Gateway = gw
	}
	return r, true, nil
}

// procHexIPv6 reads 32 hex digits in network order.
func procHexIPv6(s string) (netip.Addr, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return netip.Addr{}, fmt.Errorf("bad IPv6 address %q", s)
	}
	return netip.AddrFrom16([16]byte(b)), nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// ParseNetstatRoutes reads the routing tables that macOS `netstat -rn`
// prints: an "Internet:" and an "Internet6:" section, each with a header
// line naming its columns. Old releases print Refs and Use columns and new
// ones do not, so the interface is found by the header's "Netif" column.
// Destinations are abbreviated ("default", "127", "10.8/24", "0/1",
// "128.0/1", "fe80::%utun0/64"); rows that cannot be read are skipped, since
// only the default and split-default routes matter to callers.
//
// Rows flagged I (RTF_IFSCOPE) apply only to traffic bound to their
// interface, and R or B (reject, blackhole) carry nothing: neither is a
// route the machine's traffic takes, so both are left out (netstat(1)).
// Output without a table header is an error, not an empty table.
func ParseNetstatRoutes(data []byte) ([]Route, error) {
	var out []Route
	v6, netif, gwCol, flagsCol := false, -1, -1, -1
	header := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		switch {
		case line == "Internet:":
			v6, netif = false, -1
			continue
		case line == "Internet6:":
			v6, netif = true, -1
			continue
		case len(f) > 0 && f[0] == "Destination":
			netif, gwCol, flagsCol = indexOf(f, "Netif"), indexOf(f, "Gateway"), indexOf(f, "Flags")
			header = true
			continue
		}
		if netif < 0 || len(f) <= netif {
			continue
		}
		if flagsCol >= 0 && flagsCol < len(f) && strings.ContainsAny(f[flagsCol], "IRB") {
			continue
		}
		dst, ok := netstatDestination(f[0], v6)
		if !ok {
			continue
		}
		r := Route{Interface: f[netif], Destination: dst}
		if gwCol >= 0 {
			if gw, err := netip.ParseAddr(f[gwCol]); err == nil {
				r.Gateway = gw
			}
		}
		out = append(out, r)
	}
	if !header {
		return nil, errors.New("netstat printed no routing table")
	}
	return out, nil
}

func indexOf(f []string, s string) int {
	for i, x := range f {
		if x == s {
			return i
		}
	}
	return -1
}

// netstatDestination expands netstat's abbreviated destinations: missing
// IPv4 octets are zero, and without a length a short form is classful
// ("127" is 127.0.0.0/8) while a full address is a host route.
func netstatDestination(s string, v6 bool) (netip.Prefix, bool) {
	if s == "default" {
		if v6 {
			return netip.MustParsePrefix("::/0"), true
		}
		return netip.MustParsePrefix("0.0.0.0/0"), true
	}
	addr, length, hasLen := strings.Cut(s, "/")
	if i := strings.IndexByte(addr, '%'); i >= 0 { // fe80::%utun0: drop the zone
		addr = addr[:i]
	}
	if v6 {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return netip.Prefix{}, false
		}
		bits := 128
		if hasLen {
			if bits, err = strconv.Atoi(length); err != nil {
				return netip.Prefix{}, false
			}
		}
		p, err := a.Prefix(bits)
		return p, err == nil
	}
	octets := strings.Split(addr, ".")
	if len(octets) > 4 {
		return netip.Prefix{}, false
	}
	var a [4]byte
	for i, o := range octets {
		n, err := strconv.ParseUint(o, 10, 8)
		if err != nil {
			return netip.Prefix{}, false
		}
		a[i] = byte(n)
	}
	bits := 8 * len(octets)
	if hasLen {
		n, err := strconv.Atoi(length)
		if err != nil || n > 32 {
			return netip.Prefix{}, false
		}
		bits = n
	}
	p, err := netip.AddrFrom4(a).Prefix(bits)
	return p, err == nil
}
