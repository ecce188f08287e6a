package installer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// decodePlist parses an XML property list (the Apple PLIST 1.0 DTD: dict,
// array, string, integer, real, true, false) into Go values: a
// map[string]any, an []any, a string, an int64, a float64, a bool. It
// stands in for plutil, which Linux lacks: it fails on malformed XML, on a
// dict whose keys and values do not alternate, on a repeated key and on an
// element the DTD does not have, which launchd and Launch Services would
// refuse too.
func decodePlist(t *testing.T, text string) map[string]any {
	t.Helper()
	dict, ok := decodePlistValue(t, text).(map[string]any)
	if !ok {
		t.Fatalf("the plist holds no dict:\n%s", text)
	}
	return dict
}

// decodePlistValue is decodePlist for any top-level value.
func decodePlistValue(t *testing.T, text string) any {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no <plist> element: %v\n%s", err, text)
		}
		if el, ok := tok.(xml.StartElement); ok {
			if el.Name.Local != "plist" {
				t.Fatalf("root element <%s>, want <plist>", el.Name.Local)
			}
			break
		}
	}
	v, end, err := plistValue(d)
	if err != nil || end {
		t.Fatalf("plist: %v (empty: %v)\n%s", err, end, text)
	}
	// </plist>, then nothing but blank space.
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return v
		}
		if err != nil {
			t.Fatalf("after the dict: %v", err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
		case xml.CharData:
			if strings.TrimSpace(string(tok)) != "" {
				t.Fatalf("text after the dict: %q", tok)
			}
		default:
			t.Fatalf("more after the dict: %#v", tok)
		}
	}
}

// plistValue reads the next value; end is true at the end element of the
// enclosing dict or array.
func plistValue(d *xml.Decoder) (v any, end bool, err error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, false, err
		}
		switch el := tok.(type) {
		case xml.EndElement:
			return nil, true, nil
		case xml.CharData:
			if strings.TrimSpace(string(el)) != "" {
				return nil, false, fmt.Errorf("stray text %q", el)
			}
			continue
		case xml.StartElement:
			return plistElement(d, el)
		}
	}
}

func plistElement(d *xml.Decoder, el xml.StartElement) (any, bool, error) {
	switch el.Name.Local {
	case "dict":
		m := map[string]any{}
		for {
			k, end, err := plistValue(d)
			if err != nil || end {
				return m, false, err
			}
			key, ok := k.(plistKey)
			if !ok {
				return nil, false, fmt.Errorf("dict: a %T where a key belongs", k)
			}
			v, end, err := plistValue(d)
			if err != nil {
				return nil, false, err
			}
			if end {
				return nil, false, fmt.Errorf("dict: key %q has no value", key)
			}
			if _, ok := v.(plistKey); ok {
				return nil, false, fmt.Errorf("dict: key %q followed by another key", key)
			}
			if _, dup := m[string(key)]; dup {
				return nil, false, fmt.Errorf("dict: key %q twice", key)
			}
			m[string(key)] = v
		}
	case "array":
		a := []any{}
		for {
			v, end, err := plistValue(d)
			if err != nil || end {
				return a, false, err
			}
			if _, ok := v.(plistKey); ok {
				return nil, false, fmt.Errorf("array: a key in an array")
			}
			a = append(a, v)
		}
	case "true", "false":
		if err := d.Skip(); err != nil {
			return nil, false, err
		}
		return el.Name.Local == "true", false, nil
	case "key", "string", "integer", "real":
		var s string
		if err := d.DecodeElement(&s, &el); err != nil {
			return nil, false, err
		}
		switch el.Name.Local {
		case "key":
			return plistKey(s), false, nil
		case "integer":
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			return n, false, err
		case "real":
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			return f, false, err
		}
		return s, false, nil
	}
	return nil, false, fmt.Errorf("<%s> is not a plist element", el.Name.Local)
}

type plistKey string

// xmllintPlist has xmllint (Debian's libxml2-utils), where installed, check
// that text is well-formed XML; it is mandatory in CI.
func xmllintPlist(t *testing.T, text string) {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		needInCI(t, "xmllint (Debian package libxml2-utils)")
		t.Log("xmllint not installed (package libxml2-utils): only the Go parser checked the plist")
		return
	}
	p := filepath.Join(t.TempDir(), "x.plist")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, "--noout", "--nonet", p).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}

func TestDecodePlistRefusesWhatLaunchdWould(t *testing.T) {
	head := `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">`
	for name, body := range map[string]string{
		"unclosed":       `<dict><key>A</key><string>x</string>`,
		"key, no value":  `<dict><key>A</key></dict>`,
		"two keys":       `<dict><key>A</key><key>B</key><string>x</string></dict>`,
		"repeated key":   `<dict><key>A</key><true/><key>A</key><false/></dict>`,
		"unknown":        `<dict><key>A</key><yes/></dict>`,
		"bare &":         `<dict><key>A</key><string>a & b</string></dict>`,
		"not an integer": `<dict><key>A</key><integer>x</integer></dict>`,
	} {
		t.Run(name, func(t *testing.T) {
			d := xml.NewDecoder(strings.NewReader(head + body + `</plist>`))
			d.Strict = true
			for {
				tok, err := d.Token()
				if err != nil {
					return // refused before the dict: fine
				}
				if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "plist" {
					break
				}
			}
			if v, _, err := plistValue(d); err == nil {
				t.Errorf("accepted %s as %#v", body, v)
			}
		})
	}
	got := decodePlist(t, head+`<dict><key>A</key><array><string>a &amp; b</string><integer>3</integer><true/></array></dict></plist>`)
	if a, ok := got["A"].([]any); !ok || len(a) != 3 || a[0] != "a & b" || a[1] != int64(3) || a[2] != true {
		t.Errorf("decoded %#v", got)
	}
}

// needInCI fails the test when CI=true and a tool the test would use is
// missing: CI installs it, so its absence there is a broken setup, not a
// reason to check less.
func needInCI(t *testing.T, tool string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("needs %s (mandatory in CI)", tool)
	}
}
