package dnsfix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/clearance-app/clearance/platform"
)

// A plain resolv.conf: recorded whole, rewritten with the public servers,
// and written back byte for byte.

// resolvConfMarker is written above the public nameservers, so that a person
// reading the file knows who wrote them and how to undo it.
const resolvConfMarker = "# Clearance switched this file to public DNS; `clearance fix dns-restore` puts the previous servers back."

// rewriteResolvConf replaces the nameserver lines of a resolv.conf with
// servers, where the first one stood (at the end when there was none), under
// a comment saying who wrote them. Every other byte — search, options,
// comments, line endings — is kept.
func rewriteResolvConf(old []byte, servers []string) []byte {
	var out bytes.Buffer
	block := func() {
		out.WriteString(resolvConfMarker + "\n")
		for _, s := range servers {
			out.WriteString("nameserver " + s + "\n")
		}
	}
	written := false
	for _, line := range bytes.SplitAfter(old, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if f := strings.Fields(string(line)); len(f) > 0 && f[0] == "nameserver" {
			if !written {
				block()
				written = true
			}
			continue
		}
		out.Write(line)
	}
	if !written {
		if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			out.WriteByte('\n')
		}
		block()
	}
	return out.Bytes()
}

// replaceFileContent makes path hold data: a temporary file in the same
// directory, fsynced, given the old file's owner, renamed over path
// (platform.AtomicWrite), so that readers see the old or the new file and
// never half of one. When path is a mount point (a bind mount, as Docker
// and `ip netns exec` make of /etc/resolv.conf) the rename fails with
// EBUSY; the file is then rewritten in place (writeInPlace), as it is when
// its directory is read-only.
func replaceFileContent(path string, data []byte, perm fs.FileMode) error {
	var old fs.FileInfo
	if fi, err := os.Stat(path); err == nil {
		old, perm = fi, fi.Mode().Perm()
	}
	err := platform.AtomicWrite{Perm: perm, Durable: true, BeforeRename: func(tmp string) error {
		dnsStep(stepFileTemp)
		if old == nil {
			return nil
		}
		if err := chownLike(tmp, old); err != nil {
			return err
		}
		dnsStep(stepFileTempOwned)
		return nil
	}}.Write(path, data)
	switch {
	case err == nil:
		dnsStep(stepFileRenamed)
		return nil
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EBUSY), errors.Is(err, syscall.EXDEV):
		// A read-only root with a writable bind-mounted file (a container
		// started with --read-only), or a file that is a mount point of its
		// own: only the file itself can be written.
		return writeInPlace(path, data)
	}
	return fmt.Errorf("write %s: %w", path, err)
}

// inPlacePadding fills what writeInPlace writes up to the old file's
// length. It is a comment, so that a resolver reading the file before the
// padding is cut off reads only the new content.
const inPlacePadding = "# (padding written by Clearance, removed once the file is complete)\n"

// writeInPlace rewrites path through its own inode, keeping its mount,
// owner and mode, so that a crash leaves the old content or the new one,
// never an empty file nor a mix of both. It never truncates first: the new
// content, followed by comment lines up to at least the old length
// (padInPlace), goes to offset 0 in one write, so that no byte of the old
// content survives it; then fsync; then the padding is cut off (ftruncate,
// fsync). The cut is safe at any moment: before it, the file reads as the
// new content plus comments.
//
// What one write guarantees. Against a killed process (kill -9, the OOM
// killer): Linux copies a write(2) to a regular file into the page cache
// piece by piece (a page, or a larger folio) and looks for a fatal signal
// only between pieces, so a write that fits in one page at offset 0 (4 KiB;
// a resolv.conf is a few hundred bytes) is done whole or not at all: the
// kill lands before it or after it. A longer write can stop between pages
// and leave a mix. Against power loss nothing of the kind holds: until
// fsync returns, the new bytes may be anywhere between the page cache and
// the disk, and a disk may write some sectors of a block and not others.
// Those cases are what the journal is for: it says "applying" or
// "restoring" until the write is synced, and the next start of the agent
// writes the recorded content back (Repair).
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s in place: %w", path, err)
	}
	err = writeInPlaceTo(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s in place: %w", path, err)
	}
	return nil
}

func writeInPlaceTo(f *os.File, data []byte) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	padded := padInPlace(data, fi.Size())
	if _, err := f.WriteAt(padded, 0); err != nil {
		return err
	}
	dnsStep(stepInPlaceWritten)
	if err := f.Sync(); err != nil {
		return err
	}
	dnsStep(stepInPlaceSynced)
	if len(padded) == len(data) {
		return nil // nothing of the old content was beyond the new
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	dnsStep(stepInPlaceTrimmed)
	return nil
}

// padInPlace is data followed, when it is shorter than size, by whole
// padding lines up to size or a little beyond; data that does not end a
// line gets a newline first, so that the padding stays a comment of its own.
func padInPlace(data []byte, size int64) []byte {
	if int64(len(data)) >= size {
		return data
	}
	out := append(make([]byte, 0, size+int64(len(inPlacePadding))), data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for int64(len(out)) < size {
		out = append(out, inPlacePadding...)
	}
	return out
}

var resolvConfTool = dnsTool{
	valid: func(j dnsJournal) error {
		if r := j.ResolvConf; r == nil || !isAbsPath(r.Target) || !isAbsPath(r.Path) {
			return errors.New("no absolute resolv.conf path recorded")
		}
		return nil
	},
	apply: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		r := j.ResolvConf
		data := rewriteResolvConf(r.Content, j.Public)
		return ch.Do(ctx, fmt.Sprintf("write %s (nameserver %s)", r.Target, strings.Join(j.Public, ", ")), func(context.Context) error {
			return replaceFileContent(r.Target, data, fs.FileMode(r.Mode))
		})
	},
	restore: func(ctx context.Context, ch *platform.Changes, j dnsJournal) error {
		r := j.ResolvConf
		return ch.Do(ctx, fmt.Sprintf("write %s (the recorded copy, %d bytes)", r.Target, len(r.Content)), func(context.Context) error {
			return replaceFileContent(r.Target, r.Content, fs.FileMode(r.Mode))
		})
	},
}
