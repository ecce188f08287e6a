package browser

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// lsToken splits the old-style property list that `defaults read
// com.apple.LaunchServices/com.apple.launchservices.secure LSHandlers`
// prints into brackets, words, quoted strings and punctuation.
var lsToken = regexp.MustCompile(`[{}()=;,]|"(?:[^"\\]|\\.)*"|[^\s{}()=;,"]+`)

// defaultBrowserBundle returns the bundle ID handling https (or, failing
// that, http) in that output: a list of dictionaries, each with
// LSHandlerURLScheme and LSHandlerRoleAll, some with a nested
// LSHandlerPreferredVersions dictionary whose own LSHandlerRoleAll is "-".
// ok is false when no handler is set, which means Safari, the system's
// default.
func defaultBrowserBundle(out string) (bundle string, ok bool) {
	toks := lsToken.FindAllString(out, -1)
	var stack []map[string]string
	handlers := map[string]string{}
	for i := 0; i < len(toks); i++ {
		switch t := toks[i]; t {
		case "{", "(":
			stack = append(stack, map[string]string{})
		case "}", ")":
			if len(stack) == 0 {
				continue
			}
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			scheme, role := strings.ToLower(d["LSHandlerURLScheme"]), d["LSHandlerRoleAll"]
			if scheme != "" && role != "" && role != "-" {
				handlers[scheme] = role
			}
		default:
			// key = value ;
			if len(stack) > 0 && i+3 < len(toks) && toks[i+1] == "=" && toks[i+3] == ";" && !strings.ContainsAny(toks[i+2], "{(") {
				stack[len(stack)-1][strings.Trim(t, `"`)] = strings.Trim(toks[i+2], `"`)
				i += 3
			}
		}
	}
	for _, s := range []string{"https", "http"} {
		if b, found := handlers[s]; found {
			return b, true
		}
	}
	return "", false
}

// safari is the bundle ID LaunchServices uses when nobody chose a default.
const safari = "com.apple.safari"

// macDefault finds the default browser in LaunchServices' handlers. No
// handler recorded (defaults exits 1 when the domain or key does not
// exist) means the person never changed Safari.
func macDefault(ctx context.Context, run platform.Runner) (DefaultApp, error) {
	out, err := run.Run(ctx, "defaults", "read", "com.apple.LaunchServices/com.apple.launchservices.secure", "LSHandlers")
	bundle, ok := defaultBrowserBundle(string(out))
	var ee *platform.ExitError
	switch {
	case err == nil && ok:
	case err == nil || errors.As(err, &ee):
		bundle = safari
	default:
		return DefaultApp{}, err
	}
	d := DefaultApp{ID: bundle}
	if d.Name, d.Known = Identify(bundle); !d.Known {
		d.Name = bundle
		if strings.EqualFold(bundle, safari) {
			d.Name = "Safari"
		}
	}
	return d, nil
}
