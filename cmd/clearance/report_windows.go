package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// hostsFile lists the machine's names with their aliases.
var hostsFile = filepath.Join(os.Getenv("SystemRoot"), `System32\drivers\etc\hosts`)

// giveToSudoUser: an elevated prompt on Windows writes as the person
// signed in, who owns the file already.
func giveToSudoUser(*os.File) error { return nil }

// homeRoots hold people's profiles (C:\Users).
var homeRoots = []string{filepath.Join(os.Getenv("SystemDrive")+`\`, "Users")}

// openLog opens a log file to read, refusing a link in its place: a
// person cannot make one there without rights, but the service never
// writes one either.
func openLog(name string) (*os.File, error) {
	if fi, err := os.Lstat(name); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link, which the service never writes; left out", name)
	}
	return os.Open(name)
}
