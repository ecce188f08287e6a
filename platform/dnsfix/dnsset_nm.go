package dnsfix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// NetworkManager: the active connection's DNS settings, through nmcli.

// recordNM journals the DNS settings of the connection active on dev, one
// nmcli call per value so that no field separator needs parsing. Escaping
// is off: IPv6 addresses are printed with their colons as they are.
func recordNM(ctx context.Context, read platform.Runner, dev string) (dnsJournal, error) {
	out, err := read.Run(ctx, "nmcli", "-e", "no", "-g", "UUID,DEVICE", "connection", "show", "--active")
	if err != nil {
		return dnsJournal{}, fmt.Errorf("ask NetworkManager for the connection on %s: %w", dev, err)
	}
	uuid, err := nmcliConnectionOn(out, dev)
	if err != nil {
		return dnsJournal{}, err
	}
	rec := nmRecord{Device: dev, UUID: uuid}
	for _, f := range []struct {
		field string
		dst   *string
	}{
		{"ipv4.method", &rec.IPv4Method}, {"ipv4.dns", &rec.IPv4DNS}, {"ipv4.ignore-auto-dns", &rec.IPv4IgnoreAutoDNS},
		{"ipv6.method", &rec.IPv6Method}, {"ipv6.dns", &rec.IPv6DNS}, {"ipv6.ignore-auto-dns", &rec.IPv6IgnoreAutoDNS},
	} {
		out, err := read.Run(ctx, "nmcli", "-e", "no", "-g", f.field, "connection", "show", "uuid", uuid)
		if err != nil {
			return dnsJournal{}, fmt.Errorf("ask NetworkManager for %s of %s: %w", f.field, dev, err)
		}
		*f.dst = nmcliValue(out)
	}
	fam := func(usable bool, dns, ignore string) dnsFamilyRecord {
		switch {
		case !usable:
			return dnsFamilyRecord{Mode: dnsModeUnused}
		case dns == "" && ignore != "yes":
			return dnsFamilyRecord{Mode: dnsModeAutomatic}
		}
		return dnsFamilyRecord{Mode: dnsModeStatic, Servers: platform.SplitList(dns, ", \t")}
	}
	return dnsJournal{
		Tool:      dnsToolNM,
		Interface: dnsJournalIface{ID: uuid, Name: dev},
		IPv4:      fam(nmDNSAllowed(4, rec.IPv4Method), rec.IPv4DNS, rec.IPv4IgnoreAutoDNS),
		IPv6:      fam(nmDNSAllowed(6, rec.IPv6Method), rec.IPv6DNS, rec.IPv6IgnoreAutoDNS),
		NM:        &rec,
	}, nil
}

// nmDNSAllowed: NetworkManager refuses DNS servers for these methods
// ("this property is not allowed for 'method=…'", nm-setting-ip4-config.c
// and nm-setting-ip6-config.c), so such a family is left alone.
func nmDNSAllowed(family int, method string) bool {
	if family == 4 {
		return !slices.Contains([]string{"link-local", "shared", "disabled"}, method)
	}
	return !slices.Contains([]string{"ignore", "link-local", "disabled"}, method)
}

// nmcliConnectionOn finds the active connection's UUID for dev in
// `nmcli -e no -g UUID,DEVICE connection show --active` ("UUID:DEVICE"
// lines; a UUID has no colon).
func nmcliConnectionOn(out []byte, dev string) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		uuid, d, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if ok && d == dev && uuid != "" {
			return uuid, nil
		}
	}
	return "", fmt.Errorf("NetworkManager has no active connection on %s", dev)
}

// nmcliValue is one value printed by `nmcli -g`; "--" is nmcli's empty.
func nmcliValue(out []byte) string {
	v := strings.TrimSpace(string(out))
	if v == "--" {
		return ""
	}
	return v
}

// nmPublicArgs switches the device's applied connection (runtime only: the
// saved profile is untouched, so a reboot also undoes it).
func nmPublicArgs(r nmRecord) []string {
	args := []string{"device", "modify", r.Device}
	if nmDNSAllowed(4, r.IPv4Method) {
		args = append(args, "ipv4.dns", strings.Join(publicDNS4, ","), "ipv4.ignore-auto-dns", "yes")
	}
	if nmDNSAllowed(6, r.IPv6Method) {
		args = append(args, "ipv6.dns", strings.Join(publicDNS6, ","), "ipv6.ignore-auto-dns", "yes")
	}
	return args
}

// nmRestoreArgs writes the recorded values back, the empty list included.
func nmRestoreArgs(r nmRecord) []string {
	args := []string{"device", "modify", r.Device}
	if nmDNSAllowed(4, r.IPv4Method) {
		args = append(args, "ipv4.dns", r.IPv4DNS, "ipv4.ignore-auto-dns", nmYesNo(r.IPv4IgnoreAutoDNS))
	}
	if nmDNSAllowed(6, r.IPv6Method) {
		args = append(args, "ipv6.dns", r.IPv6DNS, "ipv6.ignore-auto-dns", nmYesNo(r.IPv6IgnoreAutoDNS))
	}
	return args
}

func nmYesNo(v string) string {
	if v == "yes" {
		return "yes"
	}
	return "no"
}

var nmTool = dnsTool{
	valid: func(j dnsJournal) error {
		if r := j.NM; r == nil || r.Device == "" || r.UUID == "" {
			return errors.New("no NetworkManager device and connection recorded")
		}
		return nil
	},
	apply: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		_, err := ch.Run(ctx, "nmcli", nmPublicArgs(*j.NM)...)
		return err
	},
	restore: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		_, err := ch.Run(ctx, "nmcli", nmRestoreArgs(*j.NM)...)
		return err
	},
}
