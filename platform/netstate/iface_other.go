//go:build !linux && !windows && !darwin

package netstate

import "context"

// interfaceDetail has no implementation here: without it a tunnel cannot be
// told from any other interface.
func interfaceDetail(context.Context, []Interface) ([]Interface, error) {
	return nil, ErrNotSupported
}
