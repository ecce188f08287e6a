//go:build unix && !darwin

package platform

import "slices"

func systemDirs() []string { return slices.Clone(fhsSystemDirs) }
