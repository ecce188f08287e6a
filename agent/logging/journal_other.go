//go:build unix && !linux

package logging

import "io"

// journalStream: journald is Linux's alone.
func journalStream(io.Writer, func(string) string) bool { return false }
