//go:build !darwin && !windows

package api

// DefaultAddress is the agent's socket.
const DefaultAddress = "/run/clearance/agent.sock"

// joinGroupCommand adds user (%[1]s) to group (%[2]s).
const joinGroupCommand = "sudo usermod -aG %[2]s %[1]s"
