package installer

import (
	"context"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/platform"
)

var procMsiEnumRelatedProducts = windows.NewLazySystemDLL("msi.dll").NewProc("MsiEnumRelatedProductsW")

// packagedBy says whether the .msi installed Clearance: Windows Installer
// knows a product of the package's UpgradeCode (MsiEnumRelatedProducts),
// whichever version.
func packagedBy(_ context.Context, _ platform.Runner, op string) *PackagedError {
	if procMsiEnumRelatedProducts.Find() != nil {
		return nil
	}
	upgrade, err := windows.UTF16PtrFromString(msiUpgradeCode)
	if err != nil {
		return nil
	}
	var product [39]uint16 // a GUID in braces, and the terminating NUL
	r, _, _ := procMsiEnumRelatedProducts.Call(uintptr(unsafe.Pointer(upgrade)), 0, 0, uintptr(unsafe.Pointer(&product[0])))
	if windows.Errno(r) != windows.ERROR_SUCCESS {
		return nil // ERROR_NO_MORE_ITEMS: no product of ours
	}
	return &PackagedError{
		Op:      op,
		Package: "its Windows Installer package",
		Remove:  "Settings > Apps > Installed apps > Clearance > Uninstall, or msiexec /x " + windows.UTF16ToString(product[:]),
	}
}
