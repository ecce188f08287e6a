package api

// DefaultAddress is the agent's named pipe.
const DefaultAddress = `\\.\pipe\clearance-agent`

// joinGroupCommand adds user (%[1]s) to group (%[2]s). The Windows policy
// does not use the group; this names it for completeness of the message.
const joinGroupCommand = "net localgroup %[2]s %[1]s /add"
