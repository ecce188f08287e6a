//go:build !linux && !windows && !darwin

package platform

import "context"

func watchNetwork(context.Context) (<-chan struct{}, error) { return nil, ErrNotSupported }
