package installer

// replaceableBy: Windows guards Program Files by ACLs, which this does not
// read yet; nothing is said.
func replaceableBy(string) string { return "" }
