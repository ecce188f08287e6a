package api

// DefaultAddress is the agent's socket.
const DefaultAddress = "/var/run/clearance/agent.sock"

// joinGroupCommand adds user (%[1]s) to group (%[2]s).
const joinGroupCommand = "sudo dseditgroup -o edit -a %[1]s -t user %[2]s"
