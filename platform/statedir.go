package platform

import "path/filepath"

// StateDir is where the agent keeps state that must survive restarts and
// crashes: /var/lib/clearance (Linux), %ProgramData%\Clearance (Windows),
// /Library/Application Support/Clearance (macOS). It is not created here;
// whoever writes into it creates it. Per OS: statedir_linux.go etc.
func StateDir() string { return stateDir() }

// DNSJournalPath is the default path of the journal that dns-public writes
// before it changes anything, and dns-restore reads to put things back.
func DNSJournalPath() string { return filepath.Join(StateDir(), "dns-journal.json") }
