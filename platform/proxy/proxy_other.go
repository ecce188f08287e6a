//go:build !linux && !windows && !darwin

package proxy

import "context"

func proxySettings(context.Context, Runner) ([]ProxySetting, error) {
	return nil, &ProxySourceError{Source: "system proxy settings", Err: ErrNotSupported}
}
