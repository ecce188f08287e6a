package open

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File opens a document the tray wrote (a finding's details page) with the
// desktop's program for its type: the default browser for a page.
func File(ctx context.Context, path string) error { return Default.File(ctx, path) }

// File opens the document at path with the desktop's program for its type:
// xdg-open on Linux and the BSDs, open on macOS, the shell on Windows. It
// is a separate door from URL, which stays for web addresses only, and it
// opens documents only: an absolute path to an existing regular file of a
// document type. Handed a program, ShellExecute would run it, and
// xdg-open may run a .desktop file; a relative path could be read as an
// option.
func (o *Opener) File(ctx context.Context, path string) error {
	p, err := documentPath(path)
	if err != nil {
		return err
	}
	if err := o.openFile(ctx, p); err != nil {
		return fmt.Errorf("could not open %s: %w", p, err)
	}
	return nil
}

// documentTypes are the file name extensions File opens.
var documentTypes = []string{".html", ".htm", ".txt"}

// documentPath accepts only an absolute path to an existing regular file
// whose name ends in one of documentTypes.
func documentPath(path string) (string, error) {
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("%q is not the full path of a file", path)
	}
	p := filepath.Clean(path)
	if !slices.Contains(documentTypes, strings.ToLower(filepath.Ext(p))) {
		return "", fmt.Errorf("%s is not a document Clearance opens (only %s files)", p, strings.Join(documentTypes, ", "))
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		// In words, not the system's: Windows says "The system cannot
		// find the file specified", Go on Unix "no such file or directory".
		return "", fmt.Errorf("could not open %s: there is no such file", p)
	}
	if err != nil {
		return "", fmt.Errorf("could not open %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a file", p)
	}
	return p, nil
}
