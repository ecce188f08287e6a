// Package timesync is about the clock: whether the OS keeps it in sync,
// asking its time service to sync now, stepping the clock where there is
// none, and watching for the wall clock being set (a timerfd on Linux). It
// changes the clock only through StepClock and SyncService, and only
// through platform.Changes.
package timesync
