// Package host is what Clearance needs to know about this machine and its
// processes, and the files only an administrator may change: who is at the
// other end of a local socket, whether this process is an administrator,
// which processes run and which sockets they hold, the state directory, a
// cross-process lock, files read only when root alone can change them, and
// fix results handed from an elevated process to a person's tray. It reads;
// it changes nothing but Clearance's own files.
package host
