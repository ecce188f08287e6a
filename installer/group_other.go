//go:build !linux && !darwin && !windows

package installer

// hostGroupTools: on the BSDs pw(8) would be needed, which is not written
// yet; Install then leaves the group to the administrator.
var hostGroupTools []groupTool
