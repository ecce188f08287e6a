package main

import "testing"

// wantPrivate: the file's ACL is the directory's, inherited, on Windows;
// os.CreateTemp has made it as the caller.
func wantPrivate(*testing.T, string) {}
