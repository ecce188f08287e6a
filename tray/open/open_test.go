package open

import (
	"errors"
	"testing"
)

func TestWebURL(t *testing.T) {
	if u, err := webURL("https://chatgpt.com/a b?q=1&r=2"); err != nil || u != "https://chatgpt.com/a%20b?q=1&r=2" {
		t.Errorf("webURL = %q, %v", u, err)
	}
	for _, bad := range []string{"", "--incognito", "file:///etc/passwd", "javascript:alert(1)", "chatgpt.com", "https://", "calc.exe"} {
		if _, err := webURL(bad); err == nil {
			t.Errorf("webURL(%q) accepted", bad)
		}
	}
}

func TestNoPrivateWindowError(t *testing.T) {
	err := error(&NoPrivateWindowError{Browser: "Safari"})
	if !errors.Is(err, ErrNoPrivateWindow) {
		t.Error("errors.Is(ErrNoPrivateWindow) is false")
	}
	if want := "Your default browser (Safari) has no known private-window option: open a private window yourself"; err.Error() != want {
		t.Errorf("message %q", err)
	}
}
