package platform

import "context"

func routes(context.Context) ([]Route, error) { return nil, ErrNotSupported }
