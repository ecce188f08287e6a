package installer

// hostGroupTools: shadow-utils, or BusyBox where it is missing (Alpine).
var hostGroupTools = []groupTool{shadowGroups, busyboxGroups}
