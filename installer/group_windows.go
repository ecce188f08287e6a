package installer

// hostGroupTools: none. Windows opens fixes to Administrators and to the
// person signed in at the computer; no group is created.
var hostGroupTools []groupTool
