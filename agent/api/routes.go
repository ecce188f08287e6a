package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// state answers GET /v1/state, or 304 when the caller has it already.
func (h *Handler) state(w http.ResponseWriter, r *http.Request) {
	body, tag, err := h.stateJSON()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not encode the state: %v", err)
		return
	}
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(append(body, '\n'))
}

// stateJSON encodes the current state; its ETag is a digest of the bytes,
// so equal states have equal tags, across restarts too.
func (h *Handler) stateJSON() (body []byte, etag string, err error) {
	body, err = json.Marshal(h.cfg.State.State())
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	return body, `"` + hex.EncodeToString(sum[:16]) + `"`, nil
}

// etagMatches applies If-None-Match: a list of tags, weak or strong, or *.
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// eventWriteTimeout bounds one write to an event stream, so that a client
// that stops reading cannot hold its stream open for ever.
const eventWriteTimeout = 10 * time.Second

// heartbeatEvery is how often an event stream with nothing to say carries
// a comment line, and looks whether its client still reads: a client that
// went away, or stopped reading, is noticed and dropped, and its place and
// descriptor given back.
const heartbeatEvery = 15 * time.Second

// errNotReading ends the stream of a client that does not read.
var errNotReading = errors.New("the client has not read what was sent a heartbeat ago")

// events answers GET /v1/events: the state at once, then again after each
// change, with a comment line (": ping") every 15 s in between, until the
// client goes or the server stops. It wakes only on the source's
// notification and the heartbeat.
//
// A client that stops reading is dropped: where the OS says how much of the
// stream is unread (Linux), at the first heartbeat that finds unread what
// was written a heartbeat ago, so within two heartbeats; elsewhere when a
// write does not finish within 10 s. A few heartbeats cannot make a write
// wait, since the socket's buffer takes them (prepareStream), so the write
// timeout alone would let such a client linger for as long as hundreds of
// heartbeats take.
//
// The stream leaves net/http: it takes the connection over and follows it
// in a goroutine of its own, and the request's goroutine, its background
// reader and its buffers are let go. An idle stream then costs some 6 KiB,
// mostly its goroutine's stack, rather than 27 KiB
// (BenchmarkIdleEventStream).
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	serveCtx, ok := serveContext(r.Context())
	if !ok {
		writeError(w, http.StatusInternalServerError, "the event stream needs a server that sets api.ConnContext")
		return
	}
	changed, cancel := h.cfg.State.Subscribe() // before the first read: no change is missed
	// Counted while the server still counts this request, so before Serve
	// stops waiting for requests and waits for the streams.
	h.streams.Add(1)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		h.streams.Done()
		cancel()
		writeError(w, http.StatusInternalServerError, "could not start the event stream: %v", err)
		return
	}
	prepareStream(conn)
	go func() {
		defer h.streams.Done()
		defer cancel()
		defer conn.Close()
		err := h.stream(serveCtx, conn, changed)
		h.cfg.Log.Debug("event stream ended", "err", err)
	}()
}

// streamHeader starts an event stream's answer; the body ends when the
// connection does.
const streamHeader = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"

// stream writes the event stream on c until ctx ends or a write fails.
func (h *Handler) stream(ctx context.Context, c net.Conn, changed <-chan struct{}) error {
	beat := time.NewTicker(h.cfg.heartbeat)
	defer beat.Stop()
	// write writes b within the write timeout, and sets the next heartbeat
	// a whole period after the write ended.
	write := func(b []byte) error {
		c.SetWriteDeadline(time.Now().Add(h.cfg.writeTimeout))
		if _, err := c.Write(b); err != nil {
			return err
		}
		beat.Reset(h.cfg.heartbeat)
		return nil
	}
	if err := write([]byte(streamHeader)); err != nil {
		return err
	}
	last, send := "", true
	for {
		if send {
			send = false
			body, tag, err := h.stateJSON()
			if err != nil {
				return err
			}
			if tag != last { // not a notification without a visible change
				last = tag
				if err := write(fmt.Appendf(nil, "event: state\ndata: %s\n\n", body)); err != nil {
					return err
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			send = true
		case <-beat.C:
			// Every write ended a heartbeat ago or more: a client that
			// reads has taken it all.
			if pending, ok := unread(c); ok && pending {
				return errNotReading
			}
			if err := write([]byte(": ping\n\n")); err != nil {
				return err
			}
		}
	}
}

// check answers POST /v1/check: 202, with when the run starts. Root and
// the fix group start one at once (the tray's "Check now", `clearance fix
// recheck`); others at most one every checkGap, and a request inside the
// gap joins the run queued for its end. The agent coalesces the rest: one
// run at a time and one waiting.
func (h *Handler) check(w http.ResponseWriter, r *http.Request) {
	caller, _ := callerOf(r.Context()) // ServeHTTP has checked it
	now := h.cfg.Now()
	at := now
	switch {
	case h.exempt(caller): // not counted in the others' pace
		h.cfg.Checker.CheckNow()
	case h.checks.now(now):
		h.cfg.Checker.CheckNow()
	default:
		at = h.checks.queue(now, h.cfg.Now, h.cfg.Checker.CheckNow)
	}
	msg := "checking now; the new state follows on /v1/events"
	if at.After(now) {
		msg = fmt.Sprintf("a check starts at %s (a user who may not run fixes starts at most one every %d seconds); the new state follows on /v1/events",
			at.UTC().Format(time.TimeOnly+" UTC"), int(checkGap/time.Second))
	}
	writeJSON(w, http.StatusAccepted, struct {
		Message  string    `json:"message"`
		StartsAt time.Time `json:"starts_at"`
	}{msg, at.UTC()})
}

// fixes answers GET /v1/fixes.
func (h *Handler) fixes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, check.NonNil(h.cfg.Fixes.Fixes(r.Context())))
}

// runFix answers POST /v1/fixes/{id}: the id first, against the fixed list
// of fixes (so that what is logged after this is always one of the
// program's own ids, never whatever a client put in the path), then the
// caller's right (so that neither the body nor the agent's list, which
// reads the configuration, is looked at for someone who may not ask), the
// body, that no other fix is running, and that the fix can run here now.
func (h *Handler) runFix(w http.ResponseWriter, r *http.Request) {
	info, ok := fix.Lookup(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "there is no fix %s; GET /v1/fixes lists them", clientText(r.PathValue("id")))
		return
	}
	id := info.ID
	caller, _ := callerOf(r.Context()) // ServeHTTP has checked it
	if e := h.mayFix(caller); e != nil {
		h.refusals.note(userKey(caller), "fix refused", "fix", id, "caller", caller.String(), "err", e.msg)
		writeError(w, e.status, "%s", e.msg)
		return
	}
	var opts FixOptions
	if e := decodeBody(r, &opts); e != nil {
		writeError(w, e.status, "%s", e.msg)
		return
	}
	if other := h.begin(id); other != "" {
		writeError(w, http.StatusConflict, "the fix %s is running; try again when it has finished", other)
		return
	}
	defer h.end()

	st, ok := h.fixStatus(r.Context(), id)
	if !ok {
		writeError(w, http.StatusNotFound, "this agent does not offer the fix %s; GET /v1/fixes lists what it does", id)
		return
	}
	if !st.Available {
		writeJSON(w, http.StatusOK, FixResult{Fix: id, Result: Failed, Message: NotAvailable(st.Reason), Commands: []string{}})
		return
	}
	h.cfg.Log.Info("fix requested", "fix", id, "caller", caller.String(), "dry_run", opts.DryRun, "confirm", opts.Confirm)
	// A fix, once started, finishes even if the caller goes away: stopping
	// it half-way could leave the machine worse off. The runner has its own
	// timeout.
	res, err := h.cfg.Fixes.RunFix(context.WithoutCancel(r.Context()), id, opts)
	var busy *BusyError
	switch {
	case errors.As(err, &busy):
		writeError(w, http.StatusConflict, "%s", busy.Message)
		return
	case err != nil:
		h.cfg.Log.Error("fix could not run", "fix", id, "err", err)
		writeError(w, http.StatusInternalServerError, "the fix %s could not run: %v", id, err)
		return
	}
	res.Fix = id
	res.Commands = check.NonNil(res.Commands)
	h.cfg.Log.Info("fix finished", "fix", id, "result", string(res.Result), "dry_run", opts.DryRun)
	writeJSON(w, http.StatusOK, res)
}

// fixStatus is the agent's word on the fix id: whether it can run now.
func (h *Handler) fixStatus(ctx context.Context, id string) (FixStatus, bool) {
	for _, f := range h.cfg.Fixes.Fixes(ctx) {
		if f.ID == id {
			return f, true
		}
	}
	return FixStatus{}, false
}

// begin marks id as running, or returns the fix already running.
func (h *Handler) begin(id string) (other string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running != "" {
		return h.running
	}
	h.running = id
	return ""
}

func (h *Handler) end() {
	h.mu.Lock()
	h.running = ""
	h.mu.Unlock()
}

// health answers GET /v1/health.
func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Version       string `json:"version"`
		UptimeSeconds int64  `json:"uptime_seconds"`
	}{h.cfg.Version, int64(h.cfg.Now().Sub(h.started) / time.Second)})
}

// apiError is an answer that is an error.
type apiError struct {
	status int
	msg    string
}

// decodeBody reads a JSON object into v, strictly: no unknown fields, no
// trailing data, at most MaxBodyBytes. An empty body leaves v as it is.
func decodeBody(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		var extra json.RawMessage
		if err = dec.Decode(&extra); errors.Is(err, io.EOF) {
			return nil
		}
		if err == nil {
			return &apiError{http.StatusBadRequest, "the request body holds more than one JSON value"}
		}
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit)}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &apiError{http.StatusBadRequest, "the request body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	case errors.As(err, &typ) && typ.Field == "":
		return &apiError{http.StatusBadRequest, "the request body must be a JSON object"}
	case errors.As(err, &typ):
		return &apiError{http.StatusBadRequest, fmt.Sprintf("the field %q must be a JSON %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)}
	case strings.Contains(err.Error(), "unknown field"):
		return &apiError{http.StatusBadRequest, "the request body has an " + strings.TrimPrefix(err.Error(), "json: ") + "; it takes " + fieldsOf(v)}
	}
	return &apiError{http.StatusBadRequest, "could not read the request body: " + err.Error()}
}

// jsonKind names a Go kind the way JSON does.
func jsonKind(k string) string {
	switch k {
	case "bool":
		return "boolean (true or false)"
	case "string":
		return "string"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}

// fieldsOf lists the JSON fields of the struct v points to, in order.
func fieldsOf(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "no fields"
	}
	return strings.Join(names, " and ")
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not encode the answer: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeError writes the one shape every error has: {"error": "…"}, a
// message for a person that says what is missing.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{fmt.Sprintf(format, args...)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
