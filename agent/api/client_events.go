package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Follow reads the agent's event stream and calls fn with each state, the
// current one first, until ctx ends (it then returns ctx's error), the
// stream ends (ErrEventsEnded), the agent cannot be reached, or fn returns
// an error (returned as it is). It waits on the stream only: the agent
// pushes, nothing is polled.
func (c *Client) Follow(ctx context.Context, fn func(State) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, BaseURL+"/v1/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("follow the agent's events: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
		return answerError(resp.StatusCode, b)
	}
	r := bufio.NewReader(resp.Body)
	for {
		name, data, err := readSSE(r, maxAnswerBytes)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				return ErrEventsEnded
			}
			return fmt.Errorf("read the agent's events: %w", err)
		}
		if name != "state" {
			continue // events this program does not know are for newer ones
		}
		var st State
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return fmt.Errorf("the agent's state event is not what this program understands: %w", err)
		}
		if err := fn(st); err != nil {
			return err
		}
	}
}

// readSSE reads one server-sent event: its name ("message" when it has
// none) and its data, several data lines joined by newlines. Comments and
// fields other than event and data are skipped. An event longer than max
// bytes is an error. io.EOF means the stream ended between events.
func readSSE(r *bufio.Reader, max int) (name, data string, err error) {
	var lines []string
	size := 0
	seen := false
	for {
		line, err := readLine(r, max-size)
		if errors.Is(err, errLineTooLong) {
			return "", "", fmt.Errorf("an event is longer than %d bytes", max)
		}
		if err != nil {
			if errors.Is(err, io.EOF) && (seen || line != "") {
				return "", "", io.ErrUnexpectedEOF // cut off inside an event
			}
			return "", "", err
		}
		size += len(line)
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if !seen {
				continue
			}
			if name == "" {
				name = "message"
			}
			return name, strings.Join(lines, "\n"), nil
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			name, seen = value, true
		case "data":
			lines, seen = append(lines, value), true
		}
	}
}

// errLineTooLong is readLine's error for a line over its bound.
var errLineTooLong = errors.New("line too long")

// readLine is r.ReadString('\n') that stops at max bytes: ReadString
// would hold a line without end in memory, however long a broken or
// hostile agent makes it, before the event's bound could be checked.
func readLine(r *bufio.Reader, max int) (string, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(line)+len(frag) > max {
			return "", errLineTooLong
		}
		line = append(line, frag...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return string(line), err
		}
	}
}
