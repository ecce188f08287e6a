//go:build !windows

package main

var wording = sudoWording
