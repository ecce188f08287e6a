package notify

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
)

// The toast content Windows receives: parsed back as XML, so that quoting
// of titles and labels is proven, not assumed.
func TestToastXML(t *testing.T) {
	n := Notification{
		Title:    `DNS answers for chatgpt.com point to 0.0.0.0 <blocked> & "sinkholed"`,
		Body:     "Your resolver blocks it.",
		Critical: true,
		Actions: []Action{
			{"dns-public", `Use "public" DNS & retry`},
			{DefaultAction, "ignored: the toast itself is the default"},
			{"a", "A"}, {"b", "B"}, {"c", "C"}, {"d", "D"}, {"e", "E"},
		},
	}
	s, err := toastXML(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ActivationType string `xml:"activationType,attr"`
		Launch         string `xml:"launch,attr"`
		Duration       string `xml:"duration,attr"`
		Binding        struct {
			Template string   `xml:"template,attr"`
			Texts    []string `xml:"text"`
		} `xml:"visual>binding"`
		Actions []struct {
			Content   string `xml:"content,attr"`
			Arguments string `xml:"arguments,attr"`
			Type      string `xml:"activationType,attr"`
		} `xml:"actions>action"`
	}
	if err := xml.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("toast XML does not parse: %v\n%s", err, s)
	}
	if got.ActivationType != "foreground" || got.Duration != "long" {
		t.Errorf("toast attributes: activationType %q duration %q", got.ActivationType, got.Duration)
	}
	if inv, ok := parseToastArgs(got.Launch); !ok || inv != (Invoked{7, DefaultAction}) {
		t.Errorf("a click on the toast decodes to %+v (%v)", inv, ok)
	}
	if got.Binding.Template != "ToastGeneric" || !slices.Equal(got.Binding.Texts, []string{n.Title, n.Body}) {
		t.Errorf("binding = %+v", got.Binding)
	}
	if len(got.Actions) != maxToastButtons {
		t.Fatalf("%d buttons, want the first %d non-default actions", len(got.Actions), maxToastButtons)
	}
	first := got.Actions[0]
	if first.Content != `Use "public" DNS & retry` || first.Type != "foreground" {
		t.Errorf("first button = %+v", first)
	}
	var keys []string
	for _, a := range got.Actions {
		inv, ok := parseToastArgs(a.Arguments)
		if !ok || inv.ID != 7 {
			t.Errorf("button %q arguments %q decode to %+v (%v)", a.Content, a.Arguments, inv, ok)
		}
		keys = append(keys, inv.Key)
	}
	if !slices.Equal(keys, []string{"dns-public", "a", "b", "c", "d"}) {
		t.Errorf("button keys = %q", keys)
	}

	plain, err := toastXML(Notification{Title: "Resolved"}, 8)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain, "<actions") || strings.Contains(plain, "duration") || strings.Count(plain, "<text>") != 1 {
		t.Errorf("a plain toast carries extras: %s", plain)
	}
}

func TestParseToastArgsRejectsForeignArguments(t *testing.T) {
	for _, s := range []string{"", "https://chatgpt.com/", "id=x&key=fix", "key=fix", "id=4294967296&key=a", "%zz"} {
		if inv, ok := parseToastArgs(s); ok {
			t.Errorf("parseToastArgs(%q) = %+v, want rejected", s, inv)
		}
	}
	if inv, ok := parseToastArgs(toastArgs(4294967295, "key with spaces&=")); !ok || inv != (Invoked{4294967295, "key with spaces&="}) {
		t.Errorf("round trip = %+v (%v)", inv, ok)
	}
}

// Title and body reach osascript as arguments of the run handler, never
// as script text: a quote in them cannot end the string and run code.
func TestOsascriptArgsKeepTextOutOfTheScript(t *testing.T) {
	n := Notification{Title: `a" & (do shell script "touch /tmp/x") & "`, Body: "b\nc"}
	args := osascriptArgs(n)
	want := []string{
		"-e", "on run argv",
		"-e", "display notification (item 2 of argv) with title (item 1 of argv)",
		"-e", "end run",
		n.Title, n.Body,
	}
	if !slices.Equal(args, want) {
		t.Errorf("osascript args = %q", args)
	}
}
