package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/bundle"
	"github.com/clearance-app/clearance/installer"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// logLines is how many of the service's newest log lines the bundle
// keeps, and logTailBytes how much of a log file's end is read for them.
const (
	logLines     = 500
	logTailBytes = 256 << 10
)

// serviceLogParts are the service's newest log lines: the system log's
// command, and the tails of the files the service manager writes.
func serviceLogParts(ctx context.Context) []bundle.Part {
	src, err := installer.ServiceLogSource(logLines)
	if err != nil {
		return []bundle.Part{{Name: "log/service.txt", Source: "the service manager", Err: err}}
	}
	var parts []bundle.Part
	if src.Command != nil {
		p := bundle.Part{Name: "log/service.txt", Source: strings.Join(src.Command, " ")}
		p.Data, p.NeedsAdmin, p.Err = runLogCommand(ctx, src.Command)
		parts = append(parts, p)
	}
	for _, f := range src.Files {
		p := bundle.Part{Name: "log/" + path.Base(f), Source: f + ", its last " + fmt.Sprint(logLines) + " lines"}
		p.Data, p.Err = tailFile(f, logLines, logTailBytes)
		if errors.Is(p.Err, fs.ErrNotExist) {
			p.Err = fmt.Errorf("%s is not there: the service has not written it on this machine", f)
		}
		if errors.Is(p.Err, fs.ErrPermission) {
			p.NeedsAdmin = true
			p.Err = fmt.Errorf("%w: only an administrator may read the service's log", p.Err)
		}
		parts = append(parts, p)
	}
	if parts == nil {
		parts = append(parts, bundle.Part{Name: "log/service.txt", Source: src.Backend, Err: errors.New("this service manager keeps no log Clearance knows how to read")})
	}
	return parts
}

// logRunner runs the log's reader: the system's command runner, which
// finds it only among the system's programs, logs its argv and checks its
// exit status, with the time a big journal may take.
var logRunner platform.Runner = platform.ExecRunner{Timeout: 30 * time.Second}

// runLogCommand runs the log's reader, keeping the last lines of what it
// prints. denied is true when the reader fails saying the caller may not
// see the service's lines (journalctl, for a person outside the groups
// that may read the system journal).
func runLogCommand(ctx context.Context, argv []string) (out []byte, denied bool, err error) {
	out, err = logRunner.Run(ctx, argv[0], argv[1:]...)
	if ee := (*platform.ExitError)(nil); errors.As(err, &ee) && logDenied(ee.Stderr) {
		return nil, true, errors.New(strings.Join(argv, " ") + ": only an administrator, or a member of the groups that may read the system's log, may read the service's lines")
	}
	if err != nil {
		return nil, false, err
	}
	return lastLines(out, logLines), false, nil
}

// logDenied says whether a log reader's error output says the caller may
// not read the service's lines: journalctl prints these instead of failing.
func logDenied(stderr string) bool {
	for _, s := range []string{
		"No journal files were opened due to insufficient permissions",
		"You are currently not seeing messages from other users and the system",
		"Access is denied",
	} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// tailFile reads the last lines of a file, from at most its last limit
// bytes. Run by an administrator, it reads with full rights in a directory
// others may write in (/var/log is the syslog group's on Ubuntu), so the
// file is opened without following a link in its place (openLog) and read
// only when root made it: whoever could put a link or a file of their own
// there would otherwise have /etc/shadow, or what they like, in the bundle.
func tailFile(name string, lines int, limit int64) ([]byte, error) {
	f, err := openLog(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file; left out", name)
	}
	if !host.OwnedByRoot(name, fi) {
		return nil, fmt.Errorf("%s does not belong to root (the Administrators on Windows), so the service did not write it; left out", name)
	}
	return tailOf(f, fi.Size(), lines, limit)
}

// tailOf reads the last lines of r, of size bytes, from at most its last
// limit bytes.
func tailOf(r io.ReaderAt, size int64, lines int, limit int64) ([]byte, error) {
	from := max(0, size-limit)
	b, err := io.ReadAll(io.NewSectionReader(r, from, size-from))
	if err != nil {
		return nil, err
	}
	if from > 0 { // the first line read is most likely cut
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return lastLines(b, lines), nil
}

// lastLines keeps the last n lines of b.
func lastLines(b []byte, n int) []byte {
	end := len(b)
	if end > 0 && b[end-1] == '\n' {
		end--
	}
	for i := end - 1; i >= 0; i-- {
		if b[i] == '\n' {
			if n--; n == 0 {
				return b[i+1:]
			}
		}
	}
	return b
}
