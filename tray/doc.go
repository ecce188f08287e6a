// Package tray is the per-user tray application: a thin, unprivileged
// client of the agent's local API that shows state and sends fix requests
// (issue 4). It must not decide what is a problem: it renders pushed state.
package tray
