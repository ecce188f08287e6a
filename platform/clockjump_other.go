//go:build !linux

package platform

import "context"

func watchClockJump(context.Context) (<-chan struct{}, error) { return nil, ErrNotSupported }
