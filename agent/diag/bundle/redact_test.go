package bundle

import (
	"net/netip"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	r := NewRedactor([]string{"Alice-Laptop.corp.example", "alice-laptop", "ab"}, []string{"alice", "root", "bob", "user", "host-1", "x"})
	for _, c := range []struct{ in, want string }{
		{"hostname alice-laptop.corp.example (ALICE-LAPTOP)", "hostname host-1 (host-2)"},
		{"/home/alice/.cache and /home/bob", "/home/user-1/.cache and /home/user-2"},
		{"malice, alicex, username, root, ab, x", "malice, alicex, username, root, ab, x"},
		{"inet 192.168.1.20/24 brd 192.168.1.255", "inet ip4-1/24 brd ip4-2"},
		{"dial 192.168.1.20:443 from 10.0.0.5", "dial ip4-1:443 from ip4-3"},
		{"kept: 127.0.0.1 0.0.0.0 169.254.3.4 192.0.2.10 198.51.100.7 203.0.113.9", "kept: 127.0.0.1 0.0.0.0 169.254.3.4 192.0.2.10 198.51.100.7 203.0.113.9"},
		{"kept: ::1 :: fe80::1%eth0 2001:db8::53", "kept: ::1 :: fe80::1%eth0 2001:db8::53"},
		{"via [2a00:1450:4001:82a::200e]:443 and 2A00:1450:4001:82A::200E/64.", "via [ip6-1]:443 and ip6-1/64."},
		{"mapped ::ffff:192.168.1.20 is the same host", "mapped ip4-1 is the same host"},
		{"link/ether 52:54:00:ab:cd:ef brd ff:ff:ff:ff:ff:ff, 52-54-00-AB-CD-EF, 00:00:00:00:00:00", "link/ether mac-1 brd mac-2, mac-1, 00:00:00:00:00:00"},
		{"time 01:07:25.123 std::cout v1.26.8 1234.5", "time 01:07:25.123 std::cout v1.26.8 1234.5"},
		{"1234.8.8.8.8 and 1.2.3.4.5", "1234.ip4-4 and ip4-5.5"},
		{`{"addr":"addr:2a01:4f8::1"}`, `{"addr":"addr:ip6-2"}`},
	} {
		if got := string(r.Redact([]byte(c.in))); got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	if c := r.Counts(); c["host"] != 2 || c["user"] != 2 || c["ip4"] != 5 || c["ip6"] != 2 || c["mac"] != 2 {
		t.Errorf("counts %v", c)
	}
}

func TestRedactable(t *testing.T) {
	for name, want := range map[string]bool{
		"alice": true, "bob": true, "josé": true, "ab": false, "root": false, "ROOT": false,
		"host": false, "user-12": false, "mac": false, "-bob": false, "bob.": false, "a.b": true,
	} {
		if got := Redactable(name); got != want {
			t.Errorf("Redactable(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzRedact plants a host name, a login name, an IPv4, an IPv6 and a MAC
// address among arbitrary text: none may come out as a word of its own,
// and redacting the output again changes nothing.
func FuzzRedact(f *testing.F) {
	f.Add("hello 1.2.3.4 world", "laptop", "alice", uint32(0x08080808), uint64(0x2a001450), uint64(1), uint64(0x525400abcdef))
	f.Add("::ffff: x:y 1.1.1.1.1", "box.example.org", "bob", uint32(0xc0a80001), uint64(0x20010db9), uint64(0), uint64(0x0a0b0c0d0e0f))
	f.Add("user-1 host-1 ip4-1x", "ip4-1x", "ip4-2x", uint32(0x01020304), uint64(0xfe80), uint64(1), uint64(0))
	f.Fuzz(func(t *testing.T, text, hostname, login string, v4 uint32, v6hi, v6lo, mac uint64) {
		ip4 := netip.AddrFrom4([4]byte{byte(v4 >> 24), byte(v4 >> 16), byte(v4 >> 8), byte(v4)})
		var b16 [16]byte
		for i := range 8 {
			b16[i], b16[8+i] = byte(v6hi>>(56-8*i)), byte(v6lo>>(56-8*i))
		}
		ip6 := netip.AddrFrom16(b16)
		var hw []string
		for i := range 6 {
			hw = append(hw, strings.ToLower(strings.TrimPrefix(hex2(byte(mac>>(40-8*i))), "")))
		}
		macText := strings.Join(hw, ":")

		r := NewRedactor([]string{hostname}, []string{login})
		in := strings.Join([]string{text, hostname, login, ip4.String(), ip6.String(), macText, text}, " ")
		out := string(r.Redact([]byte(in)))

		var planted []string
		for _, n := range []string{hostname, login} {
			if Redactable(asciiLower(n)) {
				planted = append(planted, asciiLower(n))
			}
		}
		for _, a := range []netip.Addr{ip4, ip6} {
			if !Kept(a) {
				planted = append(planted, a.String())
			}
		}
		if strings.Trim(macText, "0:") != "" {
			planted = append(planted, macText)
		}
		lower := asciiLower(out)
		for _, p := range planted {
			if i := wordIndex(lower, p); i >= 0 {
				t.Fatalf("%q survived redaction of %q: %q", p, in, out)
			}
		}
		if again := string(r.Redact([]byte(out))); again != out {
			t.Fatalf("redacting again changed the output:\n%q\n%q", out, again)
		}
	})
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// wordIndex finds w in s as a whole word (not next to a letter or digit).
func wordIndex(s, w string) int {
	for from := 0; ; {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(w)
		if (i == 0 || !wordByte(s[i-1])) && (end == len(s) || !wordByte(s[end])) {
			return i
		}
		from = i + 1
	}
}
