package platform

import (
	"context"
	"errors"
	"slices"
	"testing"
)

type argvRecorder struct{ calls [][]string }

func (r *argvRecorder) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	r.calls = append(r.calls, append([]string{name}, args...))
	return []byte("ok"), nil
}

func TestChangesDryRunRunsNothing(t *testing.T) {
	rec := &argvRecorder{}
	c := NewChanges(rec, true)
	called := false
	if _, err := c.Run(t.Context(), "netsh", "interface", "ip", "set", "dns", "name=Wi-Fi", "dhcp"); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(t.Context(), "kill -HUP 812", func(context.Context) error { called = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 0 || called {
		t.Fatalf("a dry run changed something: runner calls %v, step called %v", rec.calls, called)
	}
	want := []string{"netsh interface ip set dns name=Wi-Fi dhcp", "kill -HUP 812"}
	if got := c.Commands(); !slices.Equal(got, want) {
		t.Fatalf("Commands() = %q, want %q", got, want)
	}
}

func TestChangesRealRunRecordsAndRuns(t *testing.T) {
	rec := &argvRecorder{}
	c := NewChanges(rec, false)
	boom := errors.New("boom")
	if _, err := c.Run(t.Context(), "networksetup", "-setdnsservers", "Wi-Fi", "8.8.8.8"); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(t.Context(), "write /etc/resolv.conf", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Do returned %v, want the step's error", err)
	}
	if len(rec.calls) != 1 || !slices.Equal(rec.calls[0], []string{"networksetup", "-setdnsservers", "Wi-Fi", "8.8.8.8"}) {
		t.Fatalf("runner calls %q", rec.calls)
	}
	want := []string{"networksetup -setdnsservers Wi-Fi 8.8.8.8", "write /etc/resolv.conf"}
	if got := c.Commands(); !slices.Equal(got, want) {
		t.Fatalf("Commands() = %q, want %q", got, want)
	}
}

func TestQuoteArgv(t *testing.T) {
	got := QuoteArgv([]string{"netsh", "interface", "ip", "set", "dns", `name=Wi-Fi 2`, "it's", ""})
	want := `netsh interface ip set dns 'name=Wi-Fi 2' 'it'\''s' ''`
	if got != want {
		t.Fatalf("quoteArgv = %s, want %s", got, want)
	}
}
