package platform

import "slices"

func systemDirs() []string { return slices.Clone(darwinSystemDirs) }
