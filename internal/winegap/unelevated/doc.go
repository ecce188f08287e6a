// Command unelevated runs a command with this user's limited (not
// elevated) token and exits with its exit code, as a person starts a
// program from a normal, not an Administrator, prompt. The Wine smoke test
// runs the agent so, since Wine runs everything elevated and cannot give
// a file to the Administrators, which an elevated agent asks of its
// configuration file (see installer/packaging/wine/README.md). It is for
// tests only.
//
//	unelevated.exe PROGRAM [ARG...]
package main
