//go:build !linux && !windows && !darwin

package netstate

import "context"

func routes(context.Context) ([]Route, error) { return nil, ErrNotSupported }
