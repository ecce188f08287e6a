//go:build !linux && !windows && !darwin

package netstate

import "context"

func watchNetwork(context.Context) (<-chan struct{}, error) { return nil, ErrNotSupported }
