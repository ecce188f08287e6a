package api

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxClientText is how many bytes of a string a client sent are repeated
// in a log line or an answer.
const maxClientText = 64

// clientText makes a string a client sent (a path, a fix id) fit to repeat
// in a log line or an answer: quoted, so that line breaks and control
// characters show as escapes and cannot forge a line, and cut to its first
// maxClientText bytes, with its length, when longer. A client may send
// kilobytes at every request; what the agent repeats of it stays short.
func clientText(s string) string {
	if len(s) <= maxClientText {
		return strconv.Quote(s)
	}
	cut := maxClientText
	for cut > 0 && !utf8.RuneStart(s[cut]) { // not inside a character
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
