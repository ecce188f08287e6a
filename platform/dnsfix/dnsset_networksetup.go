package dnsfix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// macOS: the network service's DNS servers, through networksetup.

// macService is one entry of `networksetup -listnetworkserviceorder`.
type macService struct {
	Name, Port, Device string
	Enabled            bool
}

// parseNetworkServiceOrder reads `networksetup -listnetworkserviceorder`:
// a legend, then per service "(1) Wi-Fi" ("(*)" when disabled) and
// "(Hardware Port: Wi-Fi, Device: en0)" (the device is empty for some VPNs).
func parseNetworkServiceOrder(out []byte) []macService {
	var list []macService
	var cur *macService
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "(Hardware Port: "); ok && cur != nil {
			rest = strings.TrimSuffix(rest, ")")
			if i := strings.LastIndex(rest, ", Device: "); i >= 0 {
				cur.Port, cur.Device = rest[:i], strings.TrimSpace(rest[i+len(", Device: "):])
			} else {
				cur.Port = rest
			}
			list = append(list, *cur)
			cur = nil
			continue
		}
		if !strings.HasPrefix(line, "(") {
			continue
		}
		tag, name, ok := strings.Cut(line[1:], ") ")
		if !ok {
			continue
		}
		if _, err := strconv.Atoi(tag); err != nil && tag != "*" {
			continue
		}
		cur = &macService{Name: name, Enabled: tag != "*"}
	}
	return list
}

// macServiceFor is the first enabled service on dev, in service order: the
// one macOS uses for it.
func macServiceFor(list []macService, dev string) (string, bool) {
	for _, s := range list {
		if s.Enabled && s.Device == dev {
			return s.Name, true
		}
	}
	return "", false
}

// parseGetDNSServers reads `networksetup -getdnsservers SERVICE`: one
// address per line, or "There aren't any DNS Servers set on Wi-Fi." when
// they come from DHCP. networksetup may exit 0 with an error message, so
// anything else is an error.
func parseGetDNSServers(out []byte) (servers []string, automatic bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "There aren't any DNS Servers set on"):
			automatic = true
		default:
			if _, perr := netip.ParseAddr(line); perr != nil {
				return nil, false, fmt.Errorf("unexpected networksetup output: %q", line)
			}
			servers = append(servers, line)
		}
	}
	if automatic == (len(servers) > 0) {
		return nil, false, fmt.Errorf("unexpected networksetup output: %q", strings.TrimSpace(string(out)))
	}
	return servers, automatic, nil
}

// recordNetworksetup journals the DNS servers of the service on dev.
func recordNetworksetup(ctx context.Context, read platform.Runner, dev string) (dnsJournal, error) {
	out, err := read.Run(ctx, "/usr/sbin/networksetup", "-listnetworkserviceorder")
	if err != nil {
		return dnsJournal{}, fmt.Errorf("list the network services: %w", err)
	}
	service, ok := macServiceFor(parseNetworkServiceOrder(out), dev)
	if !ok {
		return dnsJournal{}, fmt.Errorf("no enabled network service uses %s", dev)
	}
	out, err = read.Run(ctx, "/usr/sbin/networksetup", "-getdnsservers", service)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("ask for the DNS servers of %s: %w", service, err)
	}
	servers, automatic, err := parseGetDNSServers(out)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read the DNS servers of %s: %w", service, err)
	}
	v4, v6 := familyRecords(servers, automatic)
	return dnsJournal{
		Tool:         dnsToolNetworksetup,
		Interface:    dnsJournalIface{ID: service, Name: service},
		IPv4:         v4,
		IPv6:         v6,
		Networksetup: &networksetupRecord{Service: service, Servers: servers},
	}, nil
}

// familyRecords records one list that covers both families (a resolved
// link's, a macOS service's), split by family, with one mode for both.
func familyRecords(servers []string, automatic bool) (v4, v6 dnsFamilyRecord) {
	mode := dnsModeStatic
	if automatic {
		mode = dnsModeAutomatic
	}
	a, b := splitFamilies(servers)
	return dnsFamilyRecord{Mode: mode, Servers: a}, dnsFamilyRecord{Mode: mode, Servers: b}
}

var networksetupTool = dnsTool{
	valid: func(j dnsJournal) error {
		if r := j.Networksetup; r == nil || r.Service == "" {
			return errors.New("no macOS network service recorded")
		}
		return nil
	},
	apply: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		_, err := ch.Run(ctx, "/usr/sbin/networksetup", append([]string{"-setdnsservers", j.Networksetup.Service}, j.Public...)...)
		return err
	},
	restore: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		r := j.Networksetup
		servers := r.Servers
		if len(servers) == 0 {
			servers = []string{"Empty"} // networksetup's word for "clear the list": DHCP-provided again
		}
		_, err := ch.Run(ctx, "/usr/sbin/networksetup", append([]string{"-setdnsservers", r.Service}, servers...)...)
		return err
	},
	oneList:   true,
	noServers: "automatic (from the network)",
}
