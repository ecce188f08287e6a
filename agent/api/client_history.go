package api

import (
	"context"
	"fmt"
	"net/http"
)

// History asks the agent for its last runs, oldest first. An agent that
// does not know the route (older than this program) answers an *Error
// with 404.
func (c *Client) History(ctx context.Context) (History, error) {
	var h History
	if err := c.call(ctx, http.MethodGet, "/v1/history", nil, http.StatusOK, &h); err != nil {
		return History{}, err
	}
	if h.Version != HistoryVersion {
		return History{}, fmt.Errorf("the agent sent a history of version %d; this program reads version %d", h.Version, HistoryVersion)
	}
	return h, nil
}
