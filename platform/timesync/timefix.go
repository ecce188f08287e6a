package timesync

// The time-sync fix. It makes the OS's own time service correct the clock
// now; only where there is none may the caller step the clock itself
// (StepClock), and then only on the agreement of several NTP servers, which
// the caller measures. What to run is decided here, untagged, from the facts
// Read gathers, so that every OS's path is tested on every OS with
// a fake runner. The per-OS files (timefix_linux.go …) gather the facts and
// supply the in-process steps; clockset_*.go set the clock.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearance-app/clearance/platform"
)

// ErrNoService means that no time service exists to ask: the caller may
// step the clock itself.
var ErrNoService = errors.New("no time service is installed")

// SyncService makes the OS's own time service correct the clock now and
// returns the service's name. It does not wait to see the clock corrected:
// the caller measures again. In a container or WSL it fails, saying that
// the host keeps the time; that is not ErrNoService, since stepping the
// clock there is the host's business too.
func SyncService(ctx context.Context, read platform.Runner, ch *platform.Changes) (service string, err error) {
	return syncTimeService(ctx, read, ch)
}

// StepClock sets the wall clock back by offset (local − true, positive when
// the clock is ahead, as in the clock-skew evidence offset_seconds). The
// caller uses it only when there is no time service and at least three NTP
// servers agree: a step is abrupt, and a running service would fight it.
func StepClock(ctx context.Context, ch *platform.Changes, offset time.Duration) error {
	return stepClock(ctx, ch, offset, systemClock)
}

// clockSetter sets the wall clock; tests replace it.
type clockSetter struct {
	now func() time.Time
	set func(time.Time) error
	// desc writes the command a person would type to set the clock to t.
	desc func(time.Time) string
}

// stepClock reads the clock again inside the step, so that the time spent
// between planning and stepping is not lost.
func stepClock(ctx context.Context, ch *platform.Changes, offset time.Duration, c clockSetter) error {
	if offset == 0 {
		return nil
	}
	if c.set == nil {
		return platform.ErrNotSupported
	}
	return ch.Do(ctx, c.desc(c.now().Add(-offset)), func(context.Context) error {
		if err := c.set(c.now().Add(-offset)); err != nil {
			return fmt.Errorf("set the clock: %w", err)
		}
		return nil
	})
}

// How a person would set the clock to t, for the record of changes.

// unixDateCommand is GNU date's form (Linux).
func unixDateCommand(t time.Time) string { return fmt.Sprintf("date -s @%d", t.Unix()) }

// bsdDateCommand is macOS date's: -f parses the operand with a format.
func bsdDateCommand(t time.Time) string { return fmt.Sprintf("date -f %%s %d", t.Unix()) }

// powershellDateCommand is Windows PowerShell's Set-Date, given UTC.
func powershellDateCommand(t time.Time) string {
	return "Set-Date -Date '" + t.UTC().Format("2006-01-02T15:04:05Z") + "'"
}

// systemtime mirrors Windows' SYSTEMTIME (UTC, milliseconds), so that the
// conversion is tested on every OS.
type systemtime struct {
	Year, Month, DayOfWeek, Day, Hour, Minute, Second, Milliseconds uint16
}

func toSystemtime(t time.Time) systemtime {
	u := t.UTC()
	return systemtime{
		Year: uint16(u.Year()), Month: uint16(u.Month()), DayOfWeek: uint16(u.Weekday()), Day: uint16(u.Day()),
		Hour: uint16(u.Hour()), Minute: uint16(u.Minute()), Second: uint16(u.Second()),
		Milliseconds: uint16(u.Nanosecond() / int(time.Millisecond)),
	}
}

// linuxSyncFacts is what the Linux decision needs: the time-sync facts,
// and the SysV or OpenRC script of ntpd where systemd is not the init
// system.
type linuxSyncFacts struct {
	linuxTimeFacts
	// NtpdInitScript is the path of ntpd's init script ("/etc/init.d/ntp"),
	// "" when none was found.
	NtpdInitScript string
}

// syncLinux picks the way to make the Linux time service correct the clock.
func syncLinux(ctx context.Context, f linuxSyncFacts, ch *platform.Changes) (string, error) {
	if f.Virtualized != "" {
		return "", fmt.Errorf("this runs in %s, whose clock is the host's: correct the time on the host", virtName(f.Virtualized))
	}
	ts := linuxVerdict(f.linuxTimeFacts)
	if u, ok := timeUnitOf(f.Units, "openntpd"); ok && u.ActiveState == "active" {
		// OpenNTPD's binary is ntpd too, but it has no -q: it is restarted.
		ts.Service = "openntpd"
	}
	if ts.Active {
		return ts.Service, syncRunningLinux(ctx, ts.Service, f, ch)
	}
	if ts.Service == "" {
		return "", ErrNoService
	}
	// Installed but not running: only systemd units are listed, so systemd
	// is the init system here.
	u, ok := timeUnitOf(f.Units, ts.Service)
	if !ok {
		return ts.Service, fmt.Errorf("%s is installed but not running, and its systemd unit is unknown", ts.Service)
	}
	if u.UnitFileState == "masked" {
		return ts.Service, fmt.Errorf("%s is switched off for good (its unit %s is masked); an administrator can allow it with: systemctl unmask %s", ts.Service, u.ID, u.ID)
	}
	// timedatectl set-ntp true enables and starts the service systemd knows
	// as the NTP service (only when network time is off: when it is on
	// already, set-ntp changes nothing). Otherwise the unit is started and
	// enabled by name, so that the clock stays in sync after a restart.
	td := f.Timedate
	if td != nil && td.NTP != nil && !*td.NTP && (td.CanNTP == nil || *td.CanNTP) {
		return ts.Service, runTimeCommand(ctx, ch, "timedatectl", "set-ntp", "true")
	}
	return ts.Service, runTimeCommand(ctx, ch, "systemctl", "enable", "--now", u.ID)
}

// syncRunningLinux makes a running service correct the clock at once.
func syncRunningLinux(ctx context.Context, service string, f linuxSyncFacts, ch *platform.Changes) error {
	switch service {
	case "chronyd":
		// makestep steps by the offset chronyd has measured, whatever its
		// makestep limit in chrony.conf.
		return runTimeCommand(ctx, ch, "chronyc", "makestep")
	case "systemd-timesyncd":
		// At start it synchronizes at once and steps offsets over 0.4 s.
		return runTimeCommand(ctx, ch, "systemctl", "restart", "systemd-timesyncd")
	case "openntpd":
		return runTimeCommand(ctx, ch, "systemctl", "restart", "openntpd")
	case "ntpd":
		return syncNtpd(ctx, f, ch)
	}
	return fmt.Errorf("%s keeps the clock, and Clearance does not know how to make it correct the clock now", service)
}

// syncNtpd: a running ntpd takes no request to synchronize now; it steps
// only once an offset has persisted for minutes, and gives up beyond its
// panic threshold (1000 s). `ntpd -gq` sets the clock once (-g: whatever
// the offset) and exits, but only while the daemon is stopped, since both
// need port 123. The daemon is started again whatever happened.
func syncNtpd(ctx context.Context, f linuxSyncFacts, ch *platform.Changes) error {
	var stop, start []string
	if u, ok := timeUnitOf(f.Units, "ntpd"); ok && f.Systemd {
		stop, start = []string{"systemctl", "stop", u.ID}, []string{"systemctl", "start", u.ID}
	} else if f.NtpdInitScript != "" {
		stop, start = []string{f.NtpdInitScript, "stop"}, []string{f.NtpdInitScript, "start"}
	} else {
		return errors.New("ntpd is running, but neither its systemd unit nor its init script was found to stop it for a one-off correction")
	}
	if err := runTimeCommand(ctx, ch, stop...); err != nil {
		return err
	}
	out, setErr := ch.Run(ctx, "ntpd", "-gq")
	if setErr != nil {
		setErr = timeCommandFailed([]string{"ntpd", "-gq"}, out, setErr)
	}
	return errors.Join(setErr, runTimeCommand(ctx, ch, start...))
}

// timeUnitOf returns the installed unit of a service; with several, the
// active one.
func timeUnitOf(units []unitState, service string) (unitState, bool) {
	var found unitState
	ok := false
	for _, u := range units {
		if serviceOfUnit(u.ID) != service {
			continue
		}
		if !ok || u.ActiveState == "active" {
			found, ok = u, true
		}
	}
	return found, ok
}

// runTimeCommand runs one command through ch, saying what it printed when
// it fails.
func runTimeCommand(ctx context.Context, ch *platform.Changes, argv ...string) error {
	if out, err := ch.Run(ctx, argv[0], argv[1:]...); err != nil {
		return timeCommandFailed(argv, out, err)
	}
	return nil
}

// timeCommandFailed says which command failed and what it printed: chronyc, for
// one, prints its "500 Failure" on standard output, which ExitError does
// not carry.
func timeCommandFailed(argv []string, out []byte, err error) error {
	cmd := strings.Join(argv, " ")
	var ee *platform.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("%s could not run: %w", cmd, err)
	}
	if said := quoteOutput(out); said != "" && strings.TrimSpace(ee.Stderr) == "" {
		return fmt.Errorf("%s failed, saying %q: %w", cmd, said, err)
	}
	return fmt.Errorf("%s failed: %w", cmd, err)
}

// syncW32Time starts Windows Time if it is stopped (outside a domain it is
// trigger-started, and w32tm fails while it is stopped), then asks for a
// resync. start starts the service and waits until it runs.
func syncW32Time(ctx context.Context, st w32TimeState, ch *platform.Changes, start func(context.Context) error) (string, error) {
	const service = "W32Time"
	if !st.Installed {
		return "", ErrNoService
	}
	typ, byPolicy := st.effectiveType()
	switch {
	case st.Disabled:
		return service, errors.New("the Windows Time service is disabled; an administrator can allow it to start with: sc config w32time start= demand")
	case strings.EqualFold(typ, "NoSync") && byPolicy:
		return service, errors.New("a Group Policy sets Windows Time not to synchronize; whoever manages this computer can change the policy")
	case strings.EqualFold(typ, "NoSync"):
		//lint:ignore ST1005 "Windows Time" is the service's name, and the message is for a person
		return service, errors.New("Windows Time is set not to synchronize: turn on \"Set time automatically\" in Settings, Time & language")
	}
	if !st.Running {
		if err := ch.Do(ctx, "net start w32time", start); err != nil {
			return service, fmt.Errorf("start the Windows Time service: %w", err)
		}
	}
	argv := []string{"w32tm", "/resync"}
	if out, err := ch.Run(ctx, argv[0], argv[1:]...); err != nil {
		return service, fmt.Errorf("%w. If the clock is more than 15 hours off, Windows Time refuses to correct it "+
			"(MaxPosPhaseCorrection and MaxNegPhaseCorrection are 54000 s on computers outside a domain): "+
			"set the date by hand in Settings, then try again", timeCommandFailed(argv, out, err))
	}
	return service, nil
}

// syncMac asks sntp to correct the clock now: with -s and -S it steps an
// offset beyond its step limit and slews a smaller one. It exits 1 when it
// adjusted nothing (no answer from the server).
func syncMac(ctx context.Context, ch *platform.Changes) (string, error) {
	const service = "sntp"
	argv := []string{"/usr/bin/sntp", "-sS", "time.apple.com"}
	_, err := ch.Run(ctx, argv[0], argv[1:]...)
	var ee *platform.ExitError
	switch {
	case err == nil:
		return service, nil
	case errors.As(err, &ee):
		return service, fmt.Errorf("sntp could not set the clock from time.apple.com (is the network up?): %w", err)
	}
	return "", fmt.Errorf("%w: %w", ErrNoService, timeCommandFailed(argv, nil, err))
}
