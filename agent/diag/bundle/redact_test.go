package bundle

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
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

// Escapes are no part of the words and addresses next to them: text that
// holds JSON (a log line, an error) or a URL is redacted as well as plain
// text.
func TestRedactNextToEscapes(t *testing.T) {
	r := NewRedactor([]string{"orchid"}, []string{"alice", "nancy"})
	for _, c := range []struct{ in, want string }{
		{`line1\nalice logged in\n2a00:1450::1 answered\naa:bb:cc:dd:ee:ff`, `line1\nuser-1 logged in\nip6-1 answered\nmac-1`},
		{`\u003calice@x\u003e`, `\u003cuser-1@x\u003e`},
		{`\u003c2a00:1450::1\u003e`, `\u003cip6-1\u003e`},
		{`path=%2Fhome%2Falice`, `path=%2Fhome%2Fuser-1`},
		{`tab\talice`, `tab\tuser-1`},
		{`\"orchid\" %2010.1.2.3%20 \u003caa:bb:cc:dd:ee:ff\u003e \r10.1.2.3`, `\"host-1\" %20ip4-1%20 \u003cmac-1\u003e \rip4-1`},
		// A Windows path is no JSON: "\n" there may begin a name, which is
		// redacted all the same.
		{`C:\Users\nancy\AppData C:\Users\alice`, `C:\Users\user-2\AppData C:\Users\user-1`},
		{`malice %2Fmalice \u003cmalice 100%`, `malice %2Fmalice \u003cmalice 100%`},
	} {
		got := string(r.Redact([]byte(c.in)))
		if got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if again := string(r.Redact([]byte(got))); again != got {
			t.Errorf("again: %q became %q", got, again)
		}
	}
}

// A JSON part is redacted string by string, keys too, as the text each
// stands for, and keeps its order and indentation.
func TestRedactPart(t *testing.T) {
	r := NewRedactor([]string{"orchid"}, []string{"alice"})
	doc := map[string]any{
		"error":  "dial tcp [2a00:1450::1]:443: refused\nalice logged in\naa:bb:cc:dd:ee:ff",
		"user":   "<alice@x>",
		"peer":   "<2a00:1450::1>",
		"alice":  []any{"tab\talice", 3.5, true, nil, "C:\\Users\\alice"},
		"kept":   "fe80::1 and <b>orchids</b>",
		"quoted": `"orchid"`,
	}
	in, err := json.MarshalIndent(doc, "", "  ") // HTML-escaped, as check --json and the agent write it
	if err != nil {
		t.Fatal(err)
	}
	out := r.RedactPart(in)
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, out)
	}
	want := map[string]any{
		"error":  "dial tcp [ip6-1]:443: refused\nuser-1 logged in\nmac-1",
		"user":   "<user-1@x>",
		"peer":   "<ip6-1>",
		"user-1": []any{"tab\tuser-1", 3.5, true, nil, "C:\\Users\\user-1"},
		"kept":   "fe80::1 and <b>orchids</b>",
		"quoted": `"host-1"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RedactPart\n got %v\nwant %v", got, want)
	}
	var indented bytes.Buffer
	json.Indent(&indented, out, "", "  ")
	if indented.String() != string(out) || !strings.Contains(string(out), "\n  \"error\": ") {
		t.Errorf("the indentation changed:\n%s", out)
	}
	if again := r.RedactPart(out); !bytes.Equal(again, out) {
		t.Errorf("redacting again changed it:\n%s\n%s", out, again)
	}
	// Not JSON: redacted as text.
	if got := string(r.RedactPart([]byte(`{"a": "alice"`))); got != `{"a": "user-1"` {
		t.Errorf("a cut JSON document: %q", got)
	}
}

// An IPv6 address made from a MAC (modified EUI-64) spells it: kept
// link-local and documentation addresses lose their interface identifier
// to the MAC's placeholder; others become ip6-N whole.
func TestRedactEUI64(t *testing.T) {
	r := NewRedactor(nil, nil)
	for _, c := range []struct{ in, want string }{
		{"inet6 fe80::ab:cdff:feef:1234%eth0 link/ether 02:ab:cd:ef:12:34", "inet6 fe80::mac-1%eth0 link/ether mac-1"},
		{"FE80::5054:FF:FE12:3456/64 from 52:54:00:12:34:56", "fe80::mac-2/64 from mac-2"},
		{"2001:db8:1:2:5054:ff:fe12:3456 and 2a00:1450::5054:ff:fe12:3456", "2001:db8:1:2::mac-2 and ip6-1"},
		{"kept: fe80::1 fe80::1:ff:fe ::1", "kept: fe80::1 fe80::1:ff:fe ::1"},
	} {
		got := string(r.Redact([]byte(c.in)))
		if got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if again := string(r.Redact([]byte(got))); again != got {
			t.Errorf("again: %q became %q", got, again)
		}
	}
	if c := r.Counts(); c["mac"] != 2 || c["ip6"] != 1 {
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

// fuzzSeps are what the fuzzer puts around planted values: a space, and
// the escapes of JSON and URLs that JSON in a log line or an error holds.
var fuzzSeps = []string{" ", `\n`, `\t`, `\r`, `\"`, `\\`, `\u003c`, `\u003e`, `%2F`, `%20`}

// FuzzRedact plants a host name, a login name, an IPv4, an IPv6 and a MAC
// address among arbitrary text, each next to a space or an escape (sep
// picks which): none may come out as a word of its own, and redacting the
// output again changes nothing. The same text as a JSON document, redacted
// as a part, must hold none of them either once decoded.
func FuzzRedact(f *testing.F) {
	f.Add("hello 1.2.3.4 world", "laptop", "alice", uint32(0x08080808), uint64(0x2a001450), uint64(1), uint64(0x525400abcdef), uint8(0))
	f.Add("::ffff: x:y 1.1.1.1.1", "box.example.org", "bob", uint32(0xc0a80001), uint64(0x20010db9), uint64(0), uint64(0x0a0b0c0d0e0f), uint8(0))
	f.Add("user-1 host-1 ip4-1x", "ip4-1x", "ip4-2x", uint32(0x01020304), uint64(0xfe80), uint64(1), uint64(0), uint8(0))
	// The leaks found by running the report: names, IPv6 and MAC addresses
	// next to \n, \t, \u003c and %2F.
	f.Add("line1", "orchid", "alice", uint32(0x0a010203), uint64(0x2a001450_00000000), uint64(1), uint64(0xaabbccddeeff), uint8(1))
	f.Add("x@y", "orchid", "alice", uint32(0x0a010203), uint64(0x2a001450_00000000), uint64(1), uint64(0xaabbccddeeff), uint8(6))
	f.Add("path=", "orchid", "alice", uint32(0x0a010203), uint64(0x2a001450_00000000), uint64(1), uint64(0xaabbccddeeff), uint8(8))
	f.Add("tab", "orchid", "alice", uint32(0x0a010203), uint64(0x2a001450_00000000), uint64(1), uint64(0xaabbccddeeff), uint8(2))
	f.Add("sp", "orchid", "alice", uint32(0x0a010203), uint64(0x2a001450_00000000), uint64(1), uint64(0xaabbccddeeff), uint8(9))
	// A link-local address made from the MAC.
	f.Add("inet6", "orchid", "alice", uint32(0x0a010203), uint64(0xfe800000_00000000), uint64(0x00abcdff_feef1234), uint64(0x02abcdef1234), uint8(0))
	f.Fuzz(func(t *testing.T, text, hostname, login string, v4 uint32, v6hi, v6lo, mac uint64, sepIndex uint8) {
		ip4 := netip.AddrFrom4([4]byte{byte(v4 >> 24), byte(v4 >> 16), byte(v4 >> 8), byte(v4)})
		var b16 [16]byte
		for i := range 8 {
			b16[i], b16[8+i] = byte(v6hi>>(56-8*i)), byte(v6lo>>(56-8*i))
		}
		ip6 := netip.AddrFrom16(b16)
		var hw []string
		for i := range 6 {
			hw = append(hw, hex2(byte(mac>>(40-8*i))))
		}
		macText := strings.Join(hw, ":")
		sep := fuzzSeps[int(sepIndex)%len(fuzzSeps)]

		r := NewRedactor([]string{hostname}, []string{login})
		in := strings.Join([]string{text, hostname, login, ip4.String(), ip6.String(), macText, text}, sep)
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
		if b := ip6.As16(); Kept(ip6) && ip6.Is6() && !ip6.Is4In6() && b[11] == 0xff && b[12] == 0xfe {
			planted = append(planted, ip6.String()) // it spells a MAC
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

		// The same, as a JSON document's key and value.
		doc, err := json.MarshalIndent(map[string]string{in: in}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		redacted := r.RedactPart(doc)
		var back map[string]string
		if err := json.Unmarshal(redacted, &back); err != nil {
			t.Fatalf("the document is no longer JSON: %v\n%s", err, redacted)
		}
		for k, v := range back {
			for _, text := range []string{k, v} {
				for _, p := range planted {
					if wordIndex(asciiLower(text), p) >= 0 {
						t.Fatalf("%q survived redaction of the document %s: %s", p, doc, redacted)
					}
				}
			}
		}
		if again := r.RedactPart(redacted); !bytes.Equal(again, redacted) {
			t.Fatalf("redacting the document again changed it:\n%s\n%s", redacted, again)
		}
	})
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// wordIndex finds w in s as a whole word: not next to a letter or digit,
// or next to one of fuzzSeps, which the fuzzer plants values next to. A
// sep after an odd run of backslashes is no escape (`\\n` is a backslash
// and an n), as in JSON.
func wordIndex(s, w string) int {
	escapeEnds := func(before string) bool {
		return slices.ContainsFunc(fuzzSeps, func(sep string) bool {
			sep = asciiLower(sep)
			if !strings.HasSuffix(before, sep) {
				return false
			}
			rest := before[:len(before)-len(sep)]
			return sep[0] != '\\' || (len(rest)-len(strings.TrimRight(rest, `\`)))%2 == 0
		})
	}
	for from := 0; ; {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(w)
		// After a value, a sep begins with a byte of no word anyway.
		if (i == 0 || !wordByte(s[i-1]) || escapeEnds(s[:i])) && (end == len(s) || !wordByte(s[end])) {
			return i
		}
		from = i + 1
	}
}
