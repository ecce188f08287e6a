package installer

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// agentAddress is where the started agent answers.
const agentAddress = api.DefaultAddress

// readyTimeout bounds the wait for a started agent to answer: far more
// than it needs to open its socket, which it does before its first check.
const readyTimeout = 30 * time.Second

// waitReady returns once the agent answers GET /v1/health, and fails as
// soon as the service manager says the service is not running any more.
func waitReady(ctx context.Context, m manager) error {
	return waitReadyAt(ctx, m, agentAddress)
}

func waitReadyAt(ctx context.Context, m manager, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	c := api.NewClient(addr)
	defer c.CloseIdleConnections()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		if health(ctx, c) == nil {
			return nil
		}
		if st, err := m.status(); err == nil && !st.running {
			return fmt.Errorf("the service %s stopped right after it started; %s", ServiceName, m.logHint())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the service %s runs, but the agent did not answer on %s within %s; %s", ServiceName, addr, readyTimeout, m.logHint())
		case <-tick.C:
		}
	}
}

func health(ctx context.Context, c *http.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.BaseURL+"/v1/health", nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v1/health: %s", resp.Status)
	}
	return nil
}
