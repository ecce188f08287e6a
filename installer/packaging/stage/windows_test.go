package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearance-app/clearance/installer"
	"github.com/clearance-app/clearance/internal/winegap"
)

// The real template renders into well-formed XML that carries the
// installer package's values, read back by an XML parser.
func TestStageWindowsRendersTheTemplate(t *testing.T) {
	out := filepath.Join(winegap.TempDir(t), "windows")
	if err := stageWindows(out, "../windows/clearance.wxs.tmpl", "0.3.0.5"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "clearance.wxs"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := installer.NewWindowsPackage("0.3.0.5")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{} // element[.Name] -> attributes
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("clearance.wxs is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			key := se.Name.Local
			if n := attrs["Name"]; n != "" && key == "RegistryValue" {
				key += "." + n
			}
			got[key] = attrs
		}
	}
	checks := []struct{ elem, attr, want string }{
		{"Product", "Id", want.ProductCode},
		{"Product", "Version", "0.3.0.5"},
		{"Product", "UpgradeCode", want.UpgradeCode},
		{"File", "Id", want.ExeFileID},
		{"ServiceInstall", "Name", want.ServiceName},
		{"ServiceInstall", "Arguments", want.ServiceArguments},
		{"ServiceInstall", "Description", want.ServiceDescription},
		{"ServiceControl", "Name", want.ServiceName},
		{"RegistryValue.Clearance", "Key", want.RunKey},
		{"RegistryValue.Clearance", "Value", want.RunCommand},
		{"RegistryValue.EventMessageFile", "Value", "#%" + want.EventMessageFile},
	}
	for _, c := range checks {
		if g := got[c.elem][c.attr]; g != c.want {
			t.Errorf("%s %s = %q, want %q", c.elem, c.attr, g, c.want)
		}
	}
}

func TestStageWindowsRefusesABadVersion(t *testing.T) {
	if err := stageWindows(winegap.TempDir(t), "../windows/clearance.wxs.tmpl", "0.3.0"); err == nil {
		t.Fatal("stageWindows accepted a three-number version")
	}
}

func TestEscapeXMLEscapesAttributeSyntax(t *testing.T) {
	got, err := escapeXML(`"C:\a&b" <x> 'y'`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `&#34;C:\a&amp;b&#34; &lt;x&gt; &#39;y&#39;`; got != want {
		t.Errorf("escapeXML = %s, want %s", got, want)
	}
}
