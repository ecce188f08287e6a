package platform

import (
	"slices"
	"strings"
)

// The agent runs as root however it was started: by systemd, by a SysV
// script that passes on the environment of whoever ran `service clearance
// restart`, or by hand. Whatever that environment held must not decide
// which programs it runs (PATH) or how it behaves; so it starts over with
// ServiceEnv (ResetEnv, per OS in serviceenv_unix.go and
// serviceenv_windows.go).

// ServiceEnv is the environment of the agent, made from env (os.Environ):
// PATH is SystemPATH, and of the rest only what keepEnv keeps.
func ServiceEnv(env []string) []string { return serviceEnv(env, SystemPATH(), keepEnv) }

// serviceEnv puts PATH first and keeps the first of each variable that
// keep accepts, as the OS's own lookup would.
func serviceEnv(env []string, path string, keep func(key string) bool) []string {
	out := []string{"PATH=" + path}
	seen := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		// Windows' hidden per-drive variables ("=C:=C:\") have an empty
		// name before their first "=".
		if k == "" && len(kv) > 1 {
			k, _, _ = strings.Cut(kv[1:], "=")
			k = "=" + k
		}
		name := strings.ToUpper(k) // Windows' names ignore case
		if name == "PATH" || seen[name] || !keep(k) {
			continue
		}
		seen[name] = true
		out = append(out, kv)
	}
	return out
}

// keepClearanceVars is the Unix rule: Clearance's own variables (the
// service marker, CLEARANCE_CONFIG, CLEARANCE_STATE_DIR), systemd's
// JOURNAL_STREAM (by which the agent knows the journal reads its standard
// error), and the trust roots Go's TLS reads, by which an administrator
// names a company's certificate authority. Nothing in them is run.
//
// The proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) go,
// even when the service's definition sets them: nothing the agent does
// would use them. Its probes go direct by design, to describe this
// machine's own path (probe.Prober), and proxies are a person's setting,
// which the tray checks as that person; kept, they would only reach the
// commands the agent runs. Keeping them only when the service manager set
// them would not work either: the marker that says "started as a service"
// is exported by the SysV script too, which passes on its caller's
// environment. The README says so, for an administrator who sets one.
func keepClearanceVars(k string) bool {
	return strings.HasPrefix(k, "CLEARANCE_") || slices.Contains([]string{"JOURNAL_STREAM", "SSL_CERT_FILE", "SSL_CERT_DIR"}, k)
}

// keepAll is the Windows rule: a service's environment comes from the
// machine's settings, which only Administrators can change, never from
// whoever started it; and Windows programs need many of its variables
// (SystemRoot, ProgramData). Only PATH is replaced.
func keepAll(string) bool { return true }

// sameEnv says whether two environments hold the same variables.
func sameEnv(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
