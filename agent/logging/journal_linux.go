package logging

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// journalStream says whether w is systemd's journal stream. systemd sets
// JOURNAL_STREAM to the "device:inode" of the stream it connected to
// standard output and error; the variable alone is not enough, since a
// child started with other descriptors inherits it (systemd.exec(5)).
func journalStream(w io.Writer, getenv func(string) string) bool {
	want := getenv("JOURNAL_STREAM")
	f, ok := w.(*os.File)
	if want == "" || !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && want == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
