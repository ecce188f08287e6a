// Package browser finds the web browsers in a person's home — Chrome,
// Chromium, Edge, Brave, Vivaldi, Opera (the Chromium family) and Firefox,
// native, Flatpak and Snap — with their profiles, version and build date,
// whether each is running and which one is the default; and it reads what
// they keep in their profiles (Local State, Preferences, extensions.json,
// prefs.js, profiles.ini, compatibility.ini) into plain structs.
//
// It runs as the person whose browsers they are, never in the agent. It
// only reads: it never writes into a profile (Chromium takes an edited
// Preferences for tampering and resets the profile). Every read is
// bounded, a symlink loop is an error for that profile, and one unreadable
// profile never hides the others.
//
// Where browsers live is a pure function per OS (locate.go), tested on
// every OS; reading profiles is one file per family (chromium.go,
// firefox.go); running detection is one file per OS (running_unix.go,
// running_windows.go).
package browser
