package installer

var hostGroupTools = []groupTool{darwinGroups}
