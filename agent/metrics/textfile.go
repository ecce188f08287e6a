package metrics

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/prometheus/common/expfmt"
)

// WriteTextfile replaces path with Clearance's metrics in the text format,
// for node_exporter's textfile collector: whole or not at all (a
// temporary file beside it, fsynced, then renamed over it), mode 0644 for
// node_exporter to read. The agent writes it with full rights, so the
// directory must be one only root can change (host.CheckRootOwned): in one
// that others may write, they could swap the file for a link to anywhere
// between two runs. A link or anything but a regular file at path is
// refused rather than replaced.
func (e *Exporter) WriteTextfile(path string) error {
	if err := host.CheckRootOwned(filepath.Dir(path)); err != nil {
		return err
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s); remove it for the metrics to be written there", path, kind(fi.Mode()))
	}
	var buf bytes.Buffer
	if err := encode(&buf, expfmt.NewFormat(expfmt.TypeTextPlain), e.textfile()); err != nil {
		return err
	}
	// What a killed agent left between writing and renaming; a hidden
	// name without .prom, which node_exporter never read.
	platform.RemoveStaleTemps(path)
	return platform.AtomicWrite{Perm: 0o644, Durable: true}.Write(path, buf.Bytes())
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a link"
	case m.IsDir():
		return "a directory"
	}
	return "a special file"
}
