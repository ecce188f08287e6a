package platform

import (
	"bufio"
	"bytes"
	"strings"
)

// Helpers shared by the parsers of OS output.

// OutputLines splits output into trimmed lines, dropping a final empty one.
func OutputLines(out []byte) []string {
	var ls []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		ls = append(ls, strings.TrimSpace(sc.Text()))
	}
	return ls
}

// SplitList splits a list on any of the separator characters, dropping
// empty entries.
func SplitList(s, seps string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
