package installer

import (
	"context"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/platform"
)

var procMsiEnumRelatedProducts = windows.NewLazySystemDLL("msi.dll").NewProc("MsiEnumRelatedProductsW")

// packagedBy says whether the .msi installed Clearance: Windows Installer
// knows a product of the package's UpgradeCode, whichever version.
func packagedBy(_ context.Context, _ platform.Runner, op string) *PackagedError {
	product, err := relatedProduct(msiUpgradeCode)
	if err != nil || product == "" {
		return nil
	}
	return &PackagedError{
		Op:      op,
		Package: "its Windows Installer package",
		Remove:  "Settings > Apps > Installed apps > Clearance > Uninstall, or msiexec /x " + product,
	}
}

// relatedProduct is the ProductCode of an installed product of
// upgradeCode (MsiEnumRelatedProducts), "" when there is none.
func relatedProduct(upgradeCode string) (string, error) {
	if err := procMsiEnumRelatedProducts.Find(); err != nil {
		return "", err
	}
	code, err := windows.UTF16PtrFromString(upgradeCode)
	if err != nil {
		return "", err
	}
	var product [39]uint16 // a GUID in braces, and the terminating NUL
	r, _, _ := procMsiEnumRelatedProducts.Call(uintptr(unsafe.Pointer(code)), 0, 0, uintptr(unsafe.Pointer(&product[0])))
	switch windows.Errno(r) {
	case windows.ERROR_SUCCESS:
		return windows.UTF16ToString(product[:]), nil
	case windows.ERROR_NO_MORE_ITEMS:
		return "", nil
	}
	return "", fmt.Errorf("MsiEnumRelatedProducts %s: %w", upgradeCode, windows.Errno(r))
}
