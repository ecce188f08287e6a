package netstate

import (
	"context"
	"fmt"

	"github.com/clearance-app/clearance/platform"
)

// routes asks netstat for both routing tables. netstat shows no metric:
// macOS picks among several default routes by service order, which the
// route to a given address (SourceAddr) reflects and this table does not.
func routes(ctx context.Context) ([]Route, error) {
	out, err := platform.System.Run(ctx, "/usr/sbin/netstat", "-rn")
	if err != nil {
		return nil, fmt.Errorf("read the routing table: %w", err)
	}
	return ParseNetstatRoutes(out)
}
