// Package api is the agent's local HTTP API, the only way the tray and
// scripts talk to the agent: the routes, JSON shapes, ETag and event stream
// that docs/contracts.md pins, answered over a Unix socket or a Windows named pipe.
// Every request is authorized by the caller's OS identity (peer credentials,
// the pipe client's token), never by anything the client says.
//
// It owns no state and runs nothing itself: the agent supplies the state,
// the check trigger and the fixes behind the small interfaces below. It must
// never listen on a network address.
package api

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// StateVersion is the "version" of the state document.
const StateVersion = 1

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 4 << 10

// DefaultFixGroup is the group whose members may run fixes.
const DefaultFixGroup = "clearance"

// State is what the agent serves: its latest checks and the findings a
// person may see (pending and explained-away findings are the source's to
// leave out).
type State struct {
	UpdatedAt time.Time // zero until the first run ends
	Checks    []check.CheckReport
	Findings  []finding.Finding
}

// MarshalJSON writes the state document of docs/contracts.md: the shapes of
// `check --json`, with updated_at null until the first run ends.
func (s State) MarshalJSON() ([]byte, error) {
	var updated *time.Time
	if !s.UpdatedAt.IsZero() {
		u := s.UpdatedAt.UTC()
		updated = &u
	}
	return json.Marshal(struct {
		Version   int                 `json:"version"`
		UpdatedAt *time.Time          `json:"updated_at"`
		Checks    []check.CheckReport `json:"checks"`
		Findings  []finding.Finding   `json:"findings"`
	}{StateVersion, updated, check.NonNil(s.Checks), check.NonNil(s.Findings)})
}

// StateSource is the agent's current state and a way to hear of changes.
type StateSource interface {
	State() State
	// Subscribe returns a channel that receives a value after the state
	// changes, and a function that ends the subscription. The source never
	// blocks on it: a size-1 channel with a non-blocking send coalesces
	// changes, and the reader fetches State afresh.
	Subscribe() (changed <-chan struct{}, cancel func())
}

// Checker asks the agent to run all checks now. It returns at once; the new
// state follows through the StateSource. Repeated requests may coalesce.
type Checker interface {
	CheckNow()
}

// FixRunner lists and runs the fixes the agent offers.
type FixRunner interface {
	// Fixes lists the fixes with whether each can run on this machine now.
	Fixes(ctx context.Context) []FixStatus
	// RunFix runs one listed, available fix. Failing to fix is a result
	// (Failed, with a message for a person); an error means the fix could
	// not be attempted at all: a *BusyError when something else holds
	// what it would change and the caller should try again later. It
	// applies its own timeouts.
	RunFix(ctx context.Context, id string, opts FixOptions) (FixResult, error)
}

// BusyError is RunFix's answer when the fix cannot start for now because
// something else holds what it would change (another process's fix); it
// is answered 409 with Message.
type BusyError struct {
	Message string // for a person, with when to try again
}

func (e *BusyError) Error() string { return e.Message }

// FixStatus is one entry of GET /v1/fixes.
type FixStatus struct {
	fix.Info
	Available bool   `json:"available"`
	Reason    string `json:"reason"` // why not available, for a person
}

// FixOptions is the body of POST /v1/fixes/{id}.
type FixOptions struct {
	DryRun  bool `json:"dry_run"` // say the exact commands, change nothing
	Confirm bool `json:"confirm"` // the person agreed to a fix that needs it
}

// Outcome is how a fix went.
type Outcome string

const (
	Fixed     Outcome = "fixed"
	NotNeeded Outcome = "not-needed"
	Failed    Outcome = "failed"
)

// Outcomes are every Outcome a fix can end with: a counter of fixes by
// result starts each at 0.
var Outcomes = []Outcome{Fixed, NotNeeded, Failed}

// NotAvailable is the message of a fix that cannot run here now, from the
// reason GET /v1/fixes gives.
func NotAvailable(reason string) string {
	return "Not available: " + strings.TrimSuffix(reason, ".") + "."
}

// FixResult is the answer to POST /v1/fixes/{id}.
type FixResult struct {
	Fix      string   `json:"fix"`
	Result   Outcome  `json:"result"`
	Message  string   `json:"message"`  // for a person
	Commands []string `json:"commands"` // what ran, or would run on a dry run
}

// Config is what the handler is built from. State, Checker and Fixes are
// required.
type Config struct {
	State   StateSource
	Checker Checker
	Fixes   FixRunner
	Version string // the program's, for /v1/health
	Log     *slog.Logger
	Now     func() time.Time // time.Now when nil
	// FixGroup is the group whose members may run fixes (DefaultFixGroup
	// when empty).
	FixGroup string
	// LookupMember says, from the group database, whether the user uid
	// belongs to group, and names the user ("" when uid has no account).
	// Asked on every fix request, so that nobody has to log in again after
	// being added; for the limits on checks and connections, an answer is
	// kept a few seconds (see exempt). The system's database (os/user)
	// when nil.
	LookupMember func(uid int, group string) (user string, member bool, err error)
	// IsPerson says whether the account uid looks like a person's (a login
	// shell and a home), whom a refused fix names the group and the command
	// to join it; others are only told that fixes are not allowed. The
	// system's database when nil.
	IsPerson func(uid int) bool
	// Runs counts the check runs the agent has completed, full or partial
	// (a confirmation), for /v1/debug's cycles (null when nil).
	Runs func() uint64

	// This package's tests shorten these; zero means the constant.
	heartbeat    time.Duration // heartbeatEvery
	writeTimeout time.Duration // eventWriteTimeout
	connLimit    int           // connLimit()
	connsPerUser int           // maxConnsPerUser
}

// Handler answers the API. Build it with New.
type Handler struct {
	cfg     Config
	started time.Time
	mux     *http.ServeMux

	refusals *refusalLog
	checks   checkGaps
	exempts  exemptCache
	streams  sync.WaitGroup // event streams, which Serve waits for

	mu      sync.Mutex
	running string // the fix in progress, "" when none
}

// New returns the API handler.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.FixGroup = cmp.Or(cfg.FixGroup, DefaultFixGroup)
	if cfg.LookupMember == nil {
		cfg.LookupMember = lookupMember
	}
	if cfg.IsPerson == nil {
		cfg.IsPerson = isPerson
	}
	cfg.heartbeat = cmp.Or(cfg.heartbeat, heartbeatEvery)
	cfg.writeTimeout = cmp.Or(cfg.writeTimeout, eventWriteTimeout)
	h := &Handler{cfg: cfg, started: cfg.Now(), mux: http.NewServeMux(), refusals: newRefusalLog(cfg.Log)}
	h.route("GET", "/v1/state", h.state)
	h.route("GET", "/v1/events", h.events)
	h.route("POST", "/v1/check", h.check)
	h.route("GET", "/v1/fixes", h.fixes)
	h.route("POST", "/v1/fixes/{id}", h.runFix)
	h.route("GET", "/v1/health", h.health)
	h.route("GET", "/v1/debug", h.debug)
	h.route("GET", "/v1/history", h.history)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// The method and path are the client's: repeated cut short (clientText).
		writeError(w, http.StatusNotFound, "no such route: %s; the API has /v1/state, /v1/events, /v1/history, /v1/check, /v1/fixes and /v1/health", clientText(r.Method+" "+r.URL.Path))
	})
	return h
}

// route registers a handler, and a JSON 405 for the path's other methods
// (the mux's own answer would be plain text).
func (h *Handler) route(method, path string, fn http.HandlerFunc) {
	h.mux.HandleFunc(method+" "+path, fn)
	h.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, "%s answers %s, not %s", clientText(r.URL.Path), method, clientText(r.Method))
	})
}

// ServeHTTP authorizes the caller, bounds the body and routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := callerOf(r.Context()); err != nil {
		writeError(w, http.StatusForbidden, "could not tell who is calling, so nothing is answered: %v", err)
		return
	}
	if r.ContentLength > MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "the request body is larger than %d bytes", MaxBodyBytes)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	h.mux.ServeHTTP(w, r)
}
