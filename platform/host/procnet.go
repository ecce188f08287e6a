package host

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Socket states in /proc/net/{tcp,udp}: a TCP socket that accepts
// connections is LISTEN; a bound, unconnected UDP socket shows as CLOSE.
const (
	ProcNetTCPListen = "0A"
	ProcNetUDPBound  = "07"
)

// ParseProcNetListeners returns the local addresses of the sockets that
// wait for clients in one of /proc/net/tcp, tcp6, udp or udp6: listening
// TCP sockets (udp false) or bound, unconnected UDP sockets (udp true).
//
// The kernel prints each address as 32-bit words in host byte order; this
// parser assumes a little-endian host (x86, arm64), which is what Clearance
// ships for.
func ParseProcNetListeners(data []byte, udp bool) ([]netip.AddrPort, error) {
	want := ProcNetTCPListen
	if udp {
		want = ProcNetUDPBound
	}
	var out []netip.AddrPort
	sc := bufio.NewScanner(bytes.NewReader(data))
	first := true
	for sc.Scan() {
		if first { // the header line
			first = false
			continue
		}
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[3] != want {
			continue
		}
		ap, err := ParseProcNetAddr(f[1])
		if err != nil {
			return nil, fmt.Errorf("parse /proc/net line %q: %w", sc.Text(), err)
		}
		out = append(out, ap)
	}
	return out, sc.Err()
}

// ParseProcNetAddr parses "0100007F:0035" or the 32-hex-digit IPv6 form.
func ParseProcNetAddr(s string) (netip.AddrPort, error) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("no port in %q", s)
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port in %q: %w", s, err)
	}
	raw, err := hex.DecodeString(hexAddr)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address in %q", s)
	}
	// Each 32-bit word is little-endian: swap it into network order.
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}
