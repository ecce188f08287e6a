package dnsfix

import (
	"context"
	"fmt"

	"github.com/clearance-app/clearance/platform"
)

// dnsTool is what the switch needs of one tool that owns a machine's DNS
// settings. Each tool's file (dnsset_resolvconf.go, dnsset_resolved.go,
// dnsset_nm.go, dnsset_netsh.go, dnsset_networksetup.go) records its
// settings into a journal and provides these.
type dnsTool struct {
	// valid checks the tool's record in a journal read back from disk.
	valid func(j dnsJournal) error
	// apply switches to j.Public; restore puts back what j recorded.
	apply, restore func(ctx context.Context, ch *platform.Changes, j dnsJournal) error
	// oneList: the tool keeps one server list for both families, and
	// noServers says in words what an empty one means.
	oneList   bool
	noServers string
}

// dnsTools are the tools, by the name a journal records.
var dnsTools = map[string]dnsTool{
	dnsToolResolvConf:   resolvConfTool,
	dnsToolResolved:     resolvedTool,
	dnsToolNM:           nmTool,
	dnsToolNetsh:        netshTool,
	dnsToolNetworksetup: networksetupTool,
}

// tool returns the journal's tool.
func (j dnsJournal) tool() (dnsTool, error) {
	t, ok := dnsTools[j.Tool]
	if !ok {
		return dnsTool{}, fmt.Errorf("unknown DNS tool %q", j.Tool)
	}
	return t, nil
}
