package dnsfix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// systemd-resolved: the link's own DNS servers, through resolvectl.

// recordResolved journals the link's own DNS servers, as
// `resolvectl dns LINK` prints them.
func recordResolved(ctx context.Context, read platform.Runner, link string) (dnsJournal, error) {
	out, err := read.Run(ctx, "resolvectl", "dns", link)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("ask systemd-resolved for the DNS servers of %s: %w", link, err)
	}
	servers, err := parseResolvectlDNS(out, link)
	if err != nil {
		return dnsJournal{}, err
	}
	// One list for both families: the link has servers of its own or not.
	v4, v6 := familyRecords(servers, len(servers) == 0)
	return dnsJournal{
		Tool:      dnsToolResolved,
		Interface: dnsJournalIface{ID: link, Name: link},
		IPv4:      v4,
		IPv6:      v6,
		Resolved:  &resolvedRecord{Link: link, Servers: servers},
	}, nil
}

// parseResolvectlDNS reads `resolvectl dns LINK`: "Link 2 (eth0): 67.207.67.3
// 67.207.67.2" — nothing after the colon when the link has no servers of its
// own; a long list goes on over indented lines (resolvectl.c,
// status_print_strv). The servers are kept verbatim: "ADDRESS[:PORT]
// [%IFINDEX][#NAME]" is also what `resolvectl dns LINK …` takes.
func parseResolvectlDNS(out []byte, link string) ([]string, error) {
	var servers []string
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
		case found && (line[0] == ' ' || line[0] == '\t'):
			servers = append(servers, strings.Fields(line)...)
		case !found && strings.HasPrefix(line, "Link "):
			head, rest, ok := strings.Cut(line, "):")
			open := strings.IndexByte(head, '(')
			if !ok || open < 0 || head[open+1:] != link {
				return nil, fmt.Errorf("resolvectl answered about another link than %s: %q", link, line)
			}
			found = true
			servers = append(servers, strings.Fields(rest)...)
		default:
			return nil, fmt.Errorf("unexpected resolvectl output: %q", line)
		}
	}
	if !found {
		return nil, fmt.Errorf("resolvectl printed nothing about %s", link)
	}
	return servers, nil
}

var resolvedTool = dnsTool{
	valid: func(j dnsJournal) error {
		if r := j.Resolved; r == nil || r.Link == "" {
			return errors.New("no systemd-resolved link recorded")
		}
		return nil
	},
	apply: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		_, err := ch.Run(ctx, "resolvectl", append([]string{"dns", j.Resolved.Link}, j.Public...)...)
		return err
	},
	restore: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		r := j.Resolved
		if len(r.Servers) == 0 {
			// The link had no servers of its own: revert drops ours. It also
			// resets the link's other settings, which were at their defaults
			// as far as `resolvectl dns` could tell.
			_, err := ch.Run(ctx, "resolvectl", "revert", r.Link)
			return err
		}
		_, err := ch.Run(ctx, "resolvectl", append([]string{"dns", r.Link}, r.Servers...)...)
		return err
	},
	oneList:   true,
	noServers: "no servers of its own (systemd-resolved's global ones)",
}
