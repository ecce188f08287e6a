package browser

import (
	"errors"
	"path"
	"strings"
)

// splitWindowsCommand splits a command line the way CommandLineToArgvW
// and the Microsoft C runtime do (learn.microsoft.com, "Parsing C
// command-line arguments"): whitespace separates arguments, double quotes
// group, 2n backslashes before a quote are n backslashes and the quote
// delimits, 2n+1 are n backslashes and a literal quote, other backslashes
// are literal. The program name (first argument) is taken up to the next
// quote or space with no escapes, as CommandLineToArgvW does.
func splitWindowsCommand(s string) []string {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return nil
	}
	var argv []string
	// The program name.
	if s[0] == '"' {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return []string{s[1:]}
		}
		argv = append(argv, s[1:1+end])
		s = s[2+end:]
	} else {
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			return []string{s}
		}
		argv = append(argv, s[:end])
		s = s[end:]
	}
	var (
		cur     strings.Builder
		started bool
		inQuote bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			started = true
		case c == '"':
			// "" inside quotes is a literal quote (the C runtime's rule).
			if inQuote && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				inQuote = !inQuote
			}
			started = true
		case !inQuote && (c == ' ' || c == '\t'):
			if started {
				argv = append(argv, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteByte(c)
			started = true
		}
	}
	if started {
		argv = append(argv, cur.String())
	}
	return argv
}

// windowsDefault reads a URL handler's ProgId and its shell\open\command
// value: the program it starts and the browser that is. Its arguments are
// left out: Chrome's and Edge's "--single-argument %1" would swallow any
// option put after them as part of the URL. An unknown browser is named
// by its program's base name, else by the ProgId.
func windowsDefault(progID, command string) (DefaultApp, error) {
	argv := splitWindowsCommand(command)
	if len(argv) == 0 || argv[0] == "" {
		return DefaultApp{}, errors.New("the browser's open command is empty")
	}
	d := DefaultApp{ID: progID, Command: argv[:1]}
	if d.Name, d.Known = Identify(argv[0]); !d.Known {
		name := path.Base(strings.ReplaceAll(argv[0], `\`, "/"))
		d.Name = strings.TrimSuffix(name, path.Ext(name))
		if d.Name == "" || d.Name == "." {
			d.Name = progID
		}
	}
	return d, nil
}
