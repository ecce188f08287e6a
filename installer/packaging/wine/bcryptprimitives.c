/*
 * bcryptprimitives.dll for Wine 8: ProcessPrng only.
 *
 * Go's Windows runtime (1.22 and later) takes its random bytes from
 * ProcessPrng in bcryptprimitives.dll and aborts at start when the DLL or
 * the function is missing, as it is in Wine 8. This fills the buffer from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine implements by
 * reading the host's random source. See README.md.
 */
#include <windows.h>
#include <ntsecapi.h>

/* ProcessPrng always succeeds on Windows; so does this, short of a failing
 * RtlGenRandom, which is then reported, not hidden. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		/* RtlGenRandom takes a ULONG length; a longer buffer is filled in
		 * slices. */
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
