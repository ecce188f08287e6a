package notify

import (
	"encoding/xml"
	"net/url"
	"strconv"
)

// maxToastButtons is the most buttons a Windows toast shows
// (learn.microsoft.com, "Toast content schema": actions holds up to 5).
const maxToastButtons = 5

// toastXML is the toast content for n: its title and body, a long
// duration for critical alerts, and a button per action, each activating
// the running tray in the foreground with arguments toastArgs decodes.
// Pure, so that every OS tests it; only Windows shows it.
func toastXML(n Notification, id uint32) (string, error) {
	type text struct {
		Value string `xml:",chardata"`
	}
	type action struct {
		Content        string `xml:"content,attr"`
		Arguments      string `xml:"arguments,attr"`
		ActivationType string `xml:"activationType,attr"`
	}
	type toast struct {
		XMLName        xml.Name `xml:"toast"`
		ActivationType string   `xml:"activationType,attr"`
		Launch         string   `xml:"launch,attr"`
		Duration       string   `xml:"duration,attr,omitempty"`
		Binding        struct {
			Template string `xml:"template,attr"`
			Texts    []text `xml:"text"`
		} `xml:"visual>binding"`
		Actions *struct {
			Action []action `xml:"action"`
		} `xml:"actions,omitempty"`
	}
	t := toast{ActivationType: "foreground", Launch: toastArgs(id, DefaultAction)}
	if n.Critical {
		t.Duration = "long"
	}
	t.Binding.Template = "ToastGeneric"
	t.Binding.Texts = append(t.Binding.Texts, text{n.Title})
	if n.Body != "" {
		t.Binding.Texts = append(t.Binding.Texts, text{n.Body})
	}
	for _, a := range n.Actions {
		if a.Key == DefaultAction {
			continue // the toast itself is the default action
		}
		if t.Actions == nil {
			t.Actions = &struct {
				Action []action `xml:"action"`
			}{}
		}
		if len(t.Actions.Action) == maxToastButtons {
			break
		}
		t.Actions.Action = append(t.Actions.Action, action{a.Label, toastArgs(id, a.Key), "foreground"})
	}
	b, err := xml.Marshal(t)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// toastArgs are the activation arguments of a toast's button: which
// notification, which button.
func toastArgs(id uint32, key string) string {
	return url.Values{"id": {strconv.FormatUint(uint64(id), 10)}, "key": {key}}.Encode()
}

// parseToastArgs decodes toastArgs; ok is false for arguments this
// package did not write.
func parseToastArgs(s string) (inv Invoked, ok bool) {
	v, err := url.ParseQuery(s)
	if err != nil || !v.Has("id") || !v.Has("key") {
		return Invoked{}, false
	}
	id, err := strconv.ParseUint(v.Get("id"), 10, 32)
	if err != nil {
		return Invoked{}, false
	}
	return Invoked{ID: uint32(id), Key: v.Get("key")}, true
}
