// Package report renders a check.Report for a person (aligned text, colour
// on a terminal) or for a program (JSON). It decides nothing: what is a
// problem was settled by the checks.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// JSON writes the report as indented JSON.
func JSON(w io.Writer, r check.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// UseColor reports whether output to f should be coloured: only on a
// terminal, and never when NO_COLOR is set (https://no-color.org).
func UseColor(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" { // set and non-empty, as no-color.org says
		return false
	}
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// lineWidth is the width text is wrapped to.
const lineWidth = 100

type palette struct{ on bool }

func (p palette) wrap(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
func (p palette) bold(s string) string { return p.wrap("1", s) }
func (p palette) dim(s string) string  { return p.wrap("2", s) }

var statusStyle = map[check.Status]struct{ mark, color string }{
	check.Pass:  {"✔", "32"},
	check.Warn:  {"!", "33"},
	check.Fail:  {"✘", "31"},
	check.Skip:  {"–", "2"},
	check.Error: {"?", "35"},
}

var severityColor = map[finding.Severity]string{
	finding.Critical: "31;1", finding.Warning: "33;1", finding.Info: "36",
}

// Text writes the report for a person.
func Text(w io.Writer, r check.Report, color bool) error {
	p := palette{color}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s · %s\n\n", p.bold("Clearance check"),
		r.StartedAt.Local().Format("2006-01-02 15:04:05"), seconds(r.Duration))

	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	// Summaries wrap under themselves: name, status, then the text column.
	indent := strings.Repeat(" ", 2+width+2+utf8.RuneCountInString("✔ error")+2)
	textWidth := max(40, lineWidth-len(indent))
	for _, c := range r.Checks {
		st := statusStyle[c.Status]
		label := fmt.Sprintf("%s %-5s", st.mark, c.Status)
		lines := wrapText(c.Summary, textWidth)
		if len(lines) == 0 {
			lines = []string{""}
		}
		fmt.Fprintf(&b, "  %-*s  %s  %s\n", width, c.Name, p.wrap(st.color, label), lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "%s%s\n", indent, l)
		}
	}

	switch n := len(r.Findings); n {
	case 0:
		b.WriteString("\n" + closingLine(r, p) + "\n")
	default:
		noun := "findings"
		if n == 1 {
			noun = "finding"
		}
		fmt.Fprintf(&b, "\n%s\n", p.bold(fmt.Sprintf("%d %s", n, noun)))
		for _, f := range r.Findings {
			writeFinding(&b, p, f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// closingLine sums up a report without findings. It claims "nothing in
// the way" only when every check ran and passed.
func closingLine(r check.Report, p palette) string {
	notPassed := 0
	for _, c := range r.Checks {
		if c.Status != check.Pass {
			notPassed++
		}
	}
	switch {
	case notPassed > 0:
		return fmt.Sprintf("No finding, but %d of %d checks did not pass: see their lines above.", notPassed, len(r.Checks))
	case len(r.Checks) == 1:
		return "No problem found by the one check that ran."
	case len(r.Checks) < len(check.Names()):
		return fmt.Sprintf("No problem found by the %d checks that ran.", len(r.Checks))
	}
	return p.wrap("32", "Nothing on this computer stands between you and ChatGPT.")
}

func writeFinding(b *strings.Builder, p palette, f finding.Finding) {
	sev := strings.ToUpper(string(f.Severity))
	fmt.Fprintf(b, "\n  %s  %s %s\n", p.wrap(severityColor[f.Severity], fmt.Sprintf("%-8s", sev)), p.bold(f.Title), p.dim("["+f.ID+"]"))
	for _, line := range wrapText(f.Detail, 72) {
		fmt.Fprintf(b, "            %s\n", line)
	}
	if ev := evidenceLine(f.Evidence); ev != "" {
		for i, line := range wrapText(ev, 72) {
			if i == 0 {
				fmt.Fprintf(b, "            %s %s\n", p.dim("Seen:"), line)
			} else {
				fmt.Fprintf(b, "                  %s\n", line)
			}
		}
	}
	if len(f.Fixes) > 0 {
		var names []string
		for _, id := range f.Fixes {
			if info, ok := fix.Lookup(id); ok {
				names = append(names, fmt.Sprintf("%s (%s)", info.Title, id))
			} else {
				names = append(names, id)
			}
		}
		fmt.Fprintf(b, "            %s %s\n", p.dim("Fix:"), strings.Join(names, "; or "))
	}
}

// evidenceLine renders evidence as "key: value · key: value", keys sorted.
func evidenceLine(ev map[string]any) string {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s", strings.ReplaceAll(k, "_", " "), value(ev[k])))
	}
	return strings.Join(parts, " · ")
}

func value(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, ", ")
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", x), "0"), ".")
	case nil:
		return "–"
	case fmt.Stringer:
		return x.String()
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return rv.String() // named string types (a stage, a verdict) read as words
	}
	switch x := v.(type) {
	case bool, int, int64, uint16, int32:
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = value(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " " + value(x[k])
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// wrapText breaks s into lines of at most width runes, at spaces.
func wrapText(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		wl := len([]rune(word))
		if n > 0 && n+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wl
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
