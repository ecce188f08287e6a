package dnsfix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// JournalPath is the default path of the journal that dns-public writes
// before it changes anything, and dns-restore reads to put things back.
func JournalPath() string { return filepath.Join(host.StateDir(), "dns-journal.json") }

// The journal of dns-public: what the active interface's DNS settings were
// before Clearance changed them, written durably before the change, so that
// dns-restore — or the next start after a crash — can put back exactly that.

// dnsJournalVersion is the journal's format. A journal of another version is
// refused, never guessed at: restoring from a misread journal would lose the
// person's settings.
const dnsJournalVersion = 1

// The phases of a journal. "applying" is written before the first change;
// "active" once the switch is complete; "restoring" before dns-restore
// changes anything. A journal "applying" or "restoring" at start means the
// agent died while settings were in flux: the next start puts back the
// recorded ones. Only "active" is left alone.
const (
	dnsPhaseApplying  = "applying"
	dnsPhaseActive    = "active"
	dnsPhaseRestoring = "restoring"
)

// The tools that own DNS settings, as Switch.Tool names them.
const (
	dnsToolResolvConf   = "resolv.conf"
	dnsToolResolved     = "systemd-resolved"
	dnsToolNM           = "NetworkManager"
	dnsToolNetsh        = "netsh"
	dnsToolNetworksetup = "networksetup"
)

// Modes of one address family's previous DNS setting.
const (
	dnsModeStatic    = "static"    // servers were set by hand (or written into a file)
	dnsModeAutomatic = "automatic" // servers came from DHCP / router advertisements
	dnsModeUnused    = "unused"    // the family is off on this interface; nothing was changed
)

// dnsJournal is the file's content. The per-family records say what the
// settings were, for the person and the audit log; the one per-tool record
// holds exactly what the restore needs.
type dnsJournal struct {
	Version   int             `json:"version"`
	Phase     string          `json:"phase"`
	OS        string          `json:"os"`
	Tool      string          `json:"tool"`
	Interface dnsJournalIface `json:"interface"`
	IPv4      dnsFamilyRecord `json:"ipv4"`
	IPv6      dnsFamilyRecord `json:"ipv6"`
	// Public are the servers the switch sets, in order.
	Public  []string  `json:"public"`
	Written time.Time `json:"written"`

	ResolvConf   *resolvConfRecord   `json:"resolv_conf,omitempty"`
	Resolved     *resolvedRecord     `json:"systemd_resolved,omitempty"`
	NM           *nmRecord           `json:"networkmanager,omitempty"`
	Netsh        *netshRecord        `json:"netsh,omitempty"`
	Networksetup *networksetupRecord `json:"networksetup,omitempty"`
}

// dnsJournalIface names the interface whose settings were changed.
type dnsJournalIface struct {
	// ID is the stable identifier: the Windows adapter GUID, the
	// NetworkManager connection UUID, the macOS service name, the path of
	// the file written.
	ID    string `json:"id"`
	Name  string `json:"name"` // for a person: "eth0", "Wi-Fi"
	Index int    `json:"index,omitempty"`
}

type dnsFamilyRecord struct {
	Mode    string   `json:"mode"`
	Servers []string `json:"servers,omitempty"`
}

// resolvConfRecord is a plain resolv.conf, byte for byte.
type resolvConfRecord struct {
	// Path is the resolv.conf the resolver reads (/etc/resolv.conf).
	Path string `json:"path"`
	// Symlink says Path was a symbolic link; Target is the file it led to,
	// the one written and restored, so that the link is never replaced.
	Symlink bool   `json:"symlink"`
	Target  string `json:"target"`
	Content []byte `json:"content"` // base64 in JSON
	Mode    uint32 `json:"mode"`    // permission bits
}

// resolvedRecord is one link's DNS servers in systemd-resolved, as
// `resolvectl dns LINK` printed them: "ADDRESS[:PORT][%IFINDEX][#NAME]",
// which is also what `resolvectl dns LINK …` accepts.
type resolvedRecord struct {
	Link    string   `json:"link"`
	Servers []string `json:"servers"`
}

// nmRecord is a NetworkManager connection's DNS settings, as nmcli prints
// and accepts them (ipv4.dns "1.1.1.1,1.0.0.1"; ignore-auto-dns "yes"/"no").
type nmRecord struct {
	Device            string `json:"device"`
	UUID              string `json:"uuid"`
	IPv4Method        string `json:"ipv4_method"`
	IPv4DNS           string `json:"ipv4_dns"`
	IPv4IgnoreAutoDNS string `json:"ipv4_ignore_auto_dns"`
	IPv6Method        string `json:"ipv6_method"`
	IPv6DNS           string `json:"ipv6_dns"`
	IPv6IgnoreAutoDNS string `json:"ipv6_ignore_auto_dns"`
}

// netshRecord is a Windows adapter's static DNS servers from the registry
// (Tcpip and Tcpip6 …\Interfaces\{GUID}\NameServer): empty means DHCP.
type netshRecord struct {
	GUID           string `json:"guid"`
	IfIndex        uint32 `json:"if_index"`
	IPv6IfIndex    uint32 `json:"ipv6_if_index"` // 0: no IPv6 on the adapter
	IPv4NameServer string `json:"ipv4_name_server"`
	IPv6NameServer string `json:"ipv6_name_server"`
}

// networksetupRecord is a macOS network service's DNS servers in their
// order (both families in one list); none means DHCP-provided.
type networksetupRecord struct {
	Service string   `json:"service"`
	Servers []string `json:"servers"`
}

// readDNSJournal reads and checks the journal at path. ErrNoJournal when
// there is none; any other problem is an error naming the file, which is
// left where it is. What it says is set with full rights (the servers, the
// file written, the commands' arguments), so a journal that anyone but
// root could have written, or put in place, is refused and never applied
// (host.ReadRootOwned).
func readDNSJournal(path string) (dnsJournal, error) {
	data, err := host.ReadRootOwned(path)
	if ue := (*host.UnsafePathError)(nil); errors.As(err, &ue) {
		return dnsJournal{}, fmt.Errorf("the DNS journal %s was not used, because %s %s, and whoever can change it chooses the DNS settings Clearance puts in place: "+
			"check this machine's DNS settings by hand, then delete the journal, and to keep this from happening again: %s", path, ue.Path, ue.Problem, ue.Fix)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return dnsJournal{}, ErrNoJournal
	}
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read the DNS journal %s: %w", path, err)
	}
	j, err := parseDNSJournal(data)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("the DNS journal %s is damaged (%w); it was left in place: "+
			"check this machine's DNS settings by hand, then delete the file", path, err)
	}
	return j, nil
}

// errBadDNSJournal marks a journal that could not be understood.
var errBadDNSJournal = errors.New("bad DNS journal")

func parseDNSJournal(data []byte) (dnsJournal, error) {
	var j dnsJournal
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return j, fmt.Errorf("%w: %v", errBadDNSJournal, err)
	}
	if dec.More() {
		return j, fmt.Errorf("%w: data after the JSON object", errBadDNSJournal)
	}
	if err := j.validate(); err != nil {
		return j, fmt.Errorf("%w: %v", errBadDNSJournal, err)
	}
	return j, nil
}

// validate checks that the journal holds what a restore of its tool needs.
func (j dnsJournal) validate() error {
	if j.Version != dnsJournalVersion {
		return fmt.Errorf("format version %d, this Clearance reads version %d", j.Version, dnsJournalVersion)
	}
	if j.Phase != dnsPhaseApplying && j.Phase != dnsPhaseActive && j.Phase != dnsPhaseRestoring {
		return fmt.Errorf("unknown phase %q", j.Phase)
	}
	if j.OS == "" {
		return errors.New("no operating system recorded")
	}
	for _, fam := range []dnsFamilyRecord{j.IPv4, j.IPv6} {
		switch fam.Mode {
		case dnsModeStatic, dnsModeAutomatic, dnsModeUnused:
		default:
			return fmt.Errorf("unknown DNS mode %q", fam.Mode)
		}
	}
	records := 0
	for _, present := range []bool{j.ResolvConf != nil, j.Resolved != nil, j.NM != nil, j.Netsh != nil, j.Networksetup != nil} {
		if present {
			records++
		}
	}
	if records != 1 {
		return fmt.Errorf("%d tool records, want exactly one", records)
	}
	t, err := j.tool()
	if err != nil {
		return err
	}
	return t.valid(j)
}

// isAbsPath accepts a slash-rooted path on every OS, so that a journal's
// check does not depend on where it is read.
func isAbsPath(p string) bool { return path.IsAbs(p) || filepath.IsAbs(p) }

// writeDNSJournal writes j durably: a temporary file in the same directory,
// fsynced, renamed over path, and the directory fsynced, so that after a
// crash path holds either the old journal or the complete new one.
func writeDNSJournal(path string, j dnsJournal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the DNS journal: %w", err)
	}
	data = append(data, '\n')
	// The state directory: made so that only root may change it, never
	// with what it would inherit (%ProgramData% lets Users create files).
	dir := filepath.Dir(path)
	if _, err := host.MakeRootOwnedDir(dir); err != nil {
		return fmt.Errorf("prepare %s for the DNS journal: %w", dir, err)
	}
	// Readable by root only: it holds a copy of the person's own DNS
	// settings (a whole resolv.conf, with its search domains). A journal
	// left 0644 by an older Clearance is replaced by this one, mode and all.
	err = platform.AtomicWrite{Perm: 0o600, Durable: true, BeforeRename: func(string) error {
		dnsStep(stepJournalTemp)
		return nil
	}}.Write(path, data)
	if err != nil {
		return fmt.Errorf("write the DNS journal %s: %w", path, err)
	}
	dnsStep(stepJournalWritten + ":" + j.Phase)
	return nil
}

// removeDNSJournal deletes the journal once its settings are back, durably.
func removeDNSJournal(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the DNS journal %s: %w", path, err)
	}
	if err := platform.SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("remove the DNS journal %s: %w", path, err)
	}
	dnsStep(stepJournalRemoved)
	return nil
}

// removeDNSLeftovers removes the temporary files that a crash in the middle
// of a DNS change leaves behind: the journal's, beside journalPath, and
// resolv.conf's, beside each of files (platform.IsTempFor). Only what
// Clearance itself creates is removed: a regular file owned by root
// (host.OwnedByRoot) whose name is exactly one of those. A link is neither
// followed nor removed, and nothing else in the directory is touched.
// Unlike platform.RemoveStaleTemps it removes them whatever their age, as
// nothing else writes these files while the agent starts, and through ch,
// so that the agent can log each removal.
func removeDNSLeftovers(ctx context.Context, ch *platform.Changes, journalPath string, files []string) error {
	var errs []error
	done := map[string]bool{}
	for _, target := range append([]string{journalPath}, files...) {
		dir := filepath.Dir(target)
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("look for temporary files left by a crash: %w", err))
			continue
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if done[p] || !platform.IsTempFor(target, e.Name()) {
				continue
			}
			done[p] = true
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() || !host.OwnedByRoot(p, fi) {
				continue
			}
			err = ch.Do(ctx, "remove "+p+" (a temporary file left by a crash)", func(context.Context) error {
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("remove a temporary file left by a crash: %w", err)
				}
				return nil
			})
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// previousServers lists the recorded servers, IPv4 first.
func (j dnsJournal) previousServers() []string {
	out := append([]string{}, j.IPv4.Servers...)
	return append(out, j.IPv6.Servers...)
}

// describePrevious says in words what the settings were:
// "automatic (from the network)", "192.168.1.1 for IPv4, automatic for IPv6".
func (j dnsJournal) describePrevious() string {
	if j.ResolvConf != nil {
		if len(j.IPv4.Servers)+len(j.IPv6.Servers) == 0 {
			return "no name server in " + j.Interface.ID
		}
		return joinWords(j.previousServers()) + " in " + j.Interface.ID
	}
	if t, _ := j.tool(); t.oneList {
		if all := j.previousServers(); len(all) > 0 {
			return joinWords(all)
		}
		return t.noServers
	}
	word := func(f dnsFamilyRecord) string {
		switch {
		case f.Mode == dnsModeAutomatic:
			return "automatic (from the network)"
		case f.Mode == dnsModeUnused:
			return "not in use"
		case len(f.Servers) == 0:
			return "none set"
		}
		return joinWords(f.Servers)
	}
	v4, v6 := word(j.IPv4), word(j.IPv6)
	if v4 == v6 {
		return v4
	}
	return v4 + " for IPv4, " + v6 + " for IPv6"
}

// joinWords lists items for a sentence: "a", "a and b", "a, b and c".
func joinWords(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, s := range items[1 : len(items)-1] {
		out += ", " + s
	}
	return out + " and " + items[len(items)-1]
}

// splitFamilies sorts server strings (which may carry a port, a zone or a
// "#name", as resolvectl prints them) into IPv4 and IPv6.
func splitFamilies(servers []string) (v4, v6 []string) {
	for _, s := range servers {
		if serverAddr(s).Is4() {
			v4 = append(v4, s)
		} else {
			v6 = append(v6, s)
		}
	}
	return v4, v6
}

// serverAddr reads the address out of "1.1.1.1", "1.1.1.1:853#name",
// "[2606:4700::1111]:853", "fe80::1%2". A string it cannot read counts as
// IPv6 when it has two colons or more, as only an IPv6 address can.
func serverAddr(s string) netip.Addr {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a
	}
	if strings.Count(s, ":") >= 2 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}
