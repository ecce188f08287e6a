/*
 * iphlpapi.dll for Wine 8: Wine's own iphlpapi plus GetIpInterfaceEntry.
 *
 * golang.org/x/sys/windows looks GetIpInterfaceEntry up when Clearance
 * reads an interface's metric, and panics when iphlpapi lacks it, as Wine
 * 8's does. Every other export of this DLL forwards to a renamed copy of
 * Wine's iphlpapi (wine_iphlpapi.dll, next to it in system32); the .def
 * that says so is generated from that copy's export table by build.sh.
 *
 * Wine knows no interface metrics (its GetIpInterfaceTable is a stub), so
 * this does not invent one: it answers as Windows does for a bad row or an
 * unknown interface, and ERROR_NOT_SUPPORTED for an interface that exists.
 * See README.md.
 */
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>

#define WINE_IPHLPAPI L"wine_iphlpapi.dll"

typedef DWORD(WINAPI *luid_to_index_fn)(const NET_LUID *, NET_IFINDEX *);
typedef DWORD(WINAPI *index_to_luid_fn)(NET_IFINDEX, NET_LUID *);

/* Exported as GetIpInterfaceEntry (see the .def): its own name here keeps
 * it clear of the header's dllimport declaration. */
DWORD WINAPI shim_GetIpInterfaceEntry(MIB_IPINTERFACE_ROW *row)
{
	HMODULE wine;
	luid_to_index_fn luid_to_index;
	index_to_luid_fn index_to_luid;
	NET_IFINDEX index;
	NET_LUID luid;

	if (row == NULL)
		return ERROR_INVALID_PARAMETER;
	if (row->Family != AF_INET && row->Family != AF_INET6)
		return ERROR_INVALID_PARAMETER;

	/* Loaded already: every forwarded call goes through it. */
	wine = LoadLibraryW(WINE_IPHLPAPI);
	if (wine == NULL)
		return ERROR_NOT_SUPPORTED;
	luid_to_index = (luid_to_index_fn)(void (*)(void))GetProcAddress(wine, "ConvertInterfaceLuidToIndex");
	index_to_luid = (index_to_luid_fn)(void (*)(void))GetProcAddress(wine, "ConvertInterfaceIndexToLuid");
	if (luid_to_index == NULL || index_to_luid == NULL) {
		FreeLibrary(wine);
		return ERROR_NOT_SUPPORTED;
	}

	/* The row names its interface by LUID, or by index when the LUID is
	 * zero, as on Windows. */
	if (row->InterfaceLuid.Value != 0) {
		if (luid_to_index(&row->InterfaceLuid, &index) != NO_ERROR) {
			FreeLibrary(wine);
			return ERROR_NOT_FOUND;
		}
	} else if (index_to_luid(row->InterfaceIndex, &luid) != NO_ERROR) {
		FreeLibrary(wine);
		return ERROR_NOT_FOUND;
	}
	FreeLibrary(wine);
	return ERROR_NOT_SUPPORTED;
}
