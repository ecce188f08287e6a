package main

import (
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
