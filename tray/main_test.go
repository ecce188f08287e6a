package tray

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/health"
	"github.com/clearance-app/clearance/assets"
	"github.com/clearance-app/clearance/platform/browser/cookies"
	"github.com/clearance-app/clearance/tray/notify"
	"github.com/clearance-app/clearance/tray/open"
)

// The systray library is global state that starts once per process, so
// the tray under test runs as a child: this test binary, re-executed with
// CLEARANCE_TRAY_CHILD set, runs the real tray (systray on the session bus
// the test set, the real notifier, the real agent client) with only the
// edges that would reach outside the test replaced. Pages and files are
// opened by the real opener, which runs the xdg-open first on PATH (the
// rig's recorder); a new window and a browser's extensions page by the
// real opener too, which starts the default browser the rig's
// xdg-settings names (another recorder). Browser cookies are cleared and
// restored for real, in the HOME the rig set. The other edges are
// reported on standard output, one line each:
//
//	private URL         a private window it would open
//	autostart on|off    "Start at login" set
//	elevate ARGV…       the command it would run with administrator rights
//
// Settings come from the environment (see trayChild).
const childEnv = "CLEARANCE_TRAY_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(trayChild())
	}
	os.Exit(m.Run())
}

// childOut serializes the child's report lines.
var childOut sync.Mutex

func report(format string, args ...any) {
	childOut.Lock()
	defer childOut.Unlock()
	fmt.Printf(format+"\n", args...)
}

// trayChild runs the tray until SIGTERM. Its environment:
//
//	TRAY_SOCKET      the agent's socket
//	TRAY_SETTINGS    the settings file
//	TRAY_FAST        set: reconnect within a second, standalone after 2 s
//	TRAY_STANDALONE  JSON of an api.State: offer standalone mode with an
//	                 in-process agent holding it
//	TRAY_USER        JSON of the findings the user checks report
func trayChild() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	o := Options{Version: "9.9.9-test", Address: os.Getenv("TRAY_SOCKET"), SettingsPath: os.Getenv("TRAY_SETTINGS"), Log: log}
	if js := os.Getenv("TRAY_STANDALONE"); js != "" {
		var st api.State
		if err := json.Unmarshal([]byte(js), &st); err != nil {
			fmt.Fprintln(os.Stderr, "TRAY_STANDALONE:", err)
			return 3
		}
		src, chk, fixes := newScriptedState(st), newCountingChecker(), newRecordingFixes()
		o.Standalone = func(context.Context) (api.StateSource, api.Checker, api.FixRunner, error) {
			return src, chk, fixes, nil
		}
	}
	var user []finding.Finding
	if js := os.Getenv("TRAY_USER"); js != "" {
		if err := json.Unmarshal([]byte(js), &user); err != nil {
			fmt.Fprintln(os.Stderr, "TRAY_USER:", err)
			return 3
		}
	}

	details, err := detailsDir() // the real one, from the HOME and XDG_CONFIG_HOME the test set
	if err != nil {
		fmt.Fprintln(os.Stderr, "details directory:", err)
		return 3
	}
	var autostartMu sync.Mutex
	autostartOn := true
	exe := "/usr/bin/clearance"
	d := deps{
		now:         time.Now,
		newUI:       newSystrayUI,
		icon:        assets.Icon,
		newNotifier: notify.New,
		openURL:     open.URL,
		openFile:    open.File,
		privateWindow: func(_ context.Context, u string) error {
			report("private %s", u)
			return nil
		},
		newWindow:      open.NewWindow,
		extensionsPage: open.ExtensionsPage,
		cookieStores:   personStores,
		cookieBackups:  cookies.BackupRoot,
		autostartEnabled: func() (bool, error) {
			autostartMu.Lock()
			defer autostartMu.Unlock()
			return autostartOn, nil
		},
		setAutostart: func(on bool) error {
			autostartMu.Lock()
			autostartOn = on
			autostartMu.Unlock()
			report("autostart %v", on)
			return nil
		},
		userChecks: func(context.Context) []health.Result {
			// Each finding as its own check reports it.
			results := []health.Result{{Check: "proxy", Ran: true}, {Check: "browser", Ran: true}}
			for _, f := range user {
				i := slices.IndexFunc(results, func(r health.Result) bool { return r.Check == f.Check })
				if i < 0 {
					i = 0
				}
				results[i].Findings = append(results[i].Findings, f)
			}
			return results
		},
		elevate: func(ctx context.Context, id string, opts api.FixOptions) (api.FixResult, error) {
			return elevate(ctx, reportingRunner{}, exe, id, opts)
		},
		claim:           claimSession,
		remote:          api.NewAgentClient(o.Address),
		minBackoff:      time.Second,
		maxBackoff:      30 * time.Second,
		standaloneAfter: 60 * time.Second,
		confirmWindow:   10 * time.Second,
		confirmAfter:    200 * time.Millisecond,
		settingsPath:    o.SettingsPath,
		detailsDir:      details,
		statusPage:      "https://status.openai.com/",
		captivePage:     "http://cp.cloudflare.com/",
	}
	if os.Getenv("TRAY_FAST") != "" {
		d.minBackoff, d.maxBackoff, d.standaloneAfter = 100*time.Millisecond, 500*time.Millisecond, 2*time.Second
	}
	err = run(ctx, o, d)
	if errors.Is(err, ErrAlreadyRunning) {
		fmt.Fprintln(os.Stderr, "clearance:", err)
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "clearance:", err)
		return 1
	}
	return 0
}

// reportingRunner stands in for the command runner of elevation: it
// reports the argv and answers as the elevated `clearance fix --json` does.
type reportingRunner struct{}

func (reportingRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	report("elevate %s %s", name, strings.Join(args, " "))
	id := ""
	if len(args) > 2 {
		id = args[2]
	}
	b, _ := json.Marshal(api.FixResult{Fix: id, Result: api.Fixed, Message: "Done with administrator rights: " + id + ".", Commands: []string{}})
	return b, nil
}
