package host

// DetachConsole lets go of a console window that exists only for this
// process. On Windows a console program started by Explorer or the Run
// key (the tray at login) gets a console window of its own, which stays
// open for the whole session and kills the program when closed; started
// from a terminal, the console is shared and kept. Elsewhere it does
// nothing. Per OS: console_windows.go, console_other.go.
func DetachConsole() { detachConsole() }
