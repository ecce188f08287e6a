package installer

import "testing"

// Windows Installer answers for an UpgradeCode no product has with no
// product and no error: the call reaches msi.dll with its arguments as it
// documents them (run under Wine by make wine-smoke). A machine where the
// .msi is installed is a manual check: `clearance uninstall` names its
// ProductCode.
func TestRelatedProduct(t *testing.T) {
	if p, err := relatedProduct("{00000000-1111-2222-3333-444444444444}"); p != "" || err != nil {
		t.Errorf("an UpgradeCode nobody has: %q, %v", p, err)
	}
}
