package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client is a typed client of the API: what the tray (and a Go script)
// needs, decoded into this package's types. It holds no state of its own
// beyond idle connections; every call is bounded by its context.
type Client struct {
	hc *http.Client
}

// NewAgentClient returns a client of the agent at addr (a socket path or
// pipe name, DefaultAddress when empty).
func NewAgentClient(addr string) *Client {
	return &Client{hc: NewClient(addr)}
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Error is an answer of the API that is an error: its HTTP status and the
// message for a person that every error carries.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("the agent answered %d: %s", e.Status, e.Message)
}

// maxAnswerBytes bounds what the client reads of one answer or one event.
const maxAnswerBytes = 4 << 20

// Health is the answer to GET /v1/health.
type Health struct {
	Version       string `json:"version"`
	UptimeSeconds int64  `json:"uptime_seconds"`
}

// State fetches the agent's state. etag is the tag of the state the caller
// holds ("" for none): while the agent's state still has it, changed is
// false and st is zero. tag is the tag of the state the agent holds now.
func (c *Client) State(ctx context.Context, etag string) (st State, tag string, changed bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, BaseURL+"/v1/state", nil)
	if err != nil {
		return State{}, "", false, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return State{}, "", false, fmt.Errorf("ask the agent for its state: %w", err)
	}
	defer resp.Body.Close()
	tag = resp.Header.Get("ETag")
	if resp.StatusCode == http.StatusNotModified {
		return State{}, tag, false, nil
	}
	if err := decodeAnswer(resp, http.StatusOK, &st); err != nil {
		return State{}, "", false, err
	}
	return st, tag, true, nil
}

// CheckNow asks the agent to run all checks now; the new state follows on
// the event stream.
func (c *Client) CheckNow(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/check", nil, http.StatusAccepted, nil)
}

// Fixes lists the agent's fixes with whether each can run now.
func (c *Client) Fixes(ctx context.Context) ([]FixStatus, error) {
	var list []FixStatus
	if err := c.call(ctx, http.MethodGet, "/v1/fixes", nil, http.StatusOK, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// RunFix asks the agent to run the fix id and waits for its result. A fix
// that ran and failed is a result (Failed, with the agent's message); an
// error means it was not run: refused (*Error with 403, 409 while another
// runs) or the agent could not be reached.
func (c *Client) RunFix(ctx context.Context, id string, opts FixOptions) (FixResult, error) {
	body, err := json.Marshal(opts)
	if err != nil {
		return FixResult{}, err
	}
	var res FixResult
	if err := c.call(ctx, http.MethodPost, "/v1/fixes/"+id, body, http.StatusOK, &res); err != nil {
		return FixResult{}, err
	}
	return res, nil
}

// Health asks the agent for its version and uptime: the cheapest way to
// learn whether it answers.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	err := c.call(ctx, http.MethodGet, "/v1/health", nil, http.StatusOK, &h)
	return h, err
}

// Debug asks the agent, as root or an administrator, what it holds now:
// goroutines, descriptors, heap, resident memory, runs. Others get an
// *Error with 403.
func (c *Client) Debug(ctx context.Context) (Debug, error) {
	var d Debug
	err := c.call(ctx, http.MethodGet, "/v1/debug", nil, http.StatusOK, &d)
	return d, err
}

// call sends one request and decodes an answer of status want into out
// (nil to discard it).
func (c *Client) call(ctx context.Context, method, path string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, BaseURL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	return decodeAnswer(resp, want, out)
}

// decodeAnswer reads an answer: JSON into out when its status is want, the
// API's error otherwise.
func decodeAnswer(resp *http.Response, want int, out any) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("read the agent's answer: %w", err)
	}
	if resp.StatusCode != want {
		return answerError(resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("the agent's answer to %s is not what this program understands: %w", resp.Request.URL.Path, err)
	}
	return nil
}

// answerError is the *Error for a body of the shape {"error": "…"}, or one
// that quotes the start of whatever else came.
func answerError(status int, body []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return &Error{Status: status, Message: e.Error}
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Error{Status: status, Message: msg}
}

// ErrEventsEnded is returned by Follow when the agent closes the stream,
// as it does when it stops.
var ErrEventsEnded = errors.New("the agent ended its event stream")
