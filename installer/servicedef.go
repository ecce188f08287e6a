package installer

import (
	"slices"
	"strings"
	"text/template"
)

// serviceDef is the service as a service manager's file describes it:
// the same for `clearance install` and for a package, which ship the file
// rendered here (see LinuxPackageFiles).
type serviceDef struct {
	Description string
	Exe         string
	Args        []string
	Env         []envVar // sorted by name
}

type envVar struct{ Name, Value string }

// serviceDefWithEnv is the service o with the environment env: this
// system's (serviceEnv) for `clearance install`, the target's for a
// package built elsewhere (linuxServiceDef, the macOS LaunchDaemon).
func serviceDefWithEnv(o Options, env map[string]string) serviceDef {
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	slices.Sort(names)
	d := serviceDef{Description: description, Exe: o.Executable, Args: serviceArgs(o)}
	for _, k := range names {
		d.Env = append(d.Env, envVar{k, env[k]})
	}
	return d
}

// render fills a service file's template. The templates are the
// project's own, and kardianos/service is handed the rendered text as its
// custom script: its template engine passes text without actions through
// unchanged, so the file on disk is exactly this.
func (d serviceDef) render(t *template.Template) string {
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		panic("installer: service template: " + err.Error()) // the templates are constants
	}
	return b.String()
}

var serviceFuncs = template.FuncMap{
	"systemdPath": systemdPath,
	"systemdArg":  systemdArg,
	"shellQuote":  shellQuote,
}

// systemdPath is a path where systemd takes a single unquoted word
// (ConditionFileIsExecutable=, the program of ExecStart=): a space is
// \x20, and % doubled, since %x is a specifier (systemd.unit(5)).
func systemdPath(s string) string {
	return strings.NewReplacer(" ", `\x20`, "%", "%%").Replace(s)
}

// systemdArg is an argument of ExecStart= in double quotes, with \ and "
// escaped and % doubled (systemd.service(5), "Command lines").
func systemdArg(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%").Replace(s) + `"`
}

// shellQuote is one word for sh(1), in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
