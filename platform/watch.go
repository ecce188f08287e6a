package platform

import (
	"context"
	"os"
)

// WatchFile turns reads from f into values on ch, a channel of capacity 1
// that it closes after f when the watch ends. f must be non-blocking, so
// that os.NewFile has put it in Go's network poller: a read then parks its
// goroutine without a thread or a timer, and Close wakes it when ctx ends.
// handle decides what one read means: whether to send a value, and an error
// that ends the watch.
func WatchFile(ctx context.Context, f *os.File, size int, ch chan struct{}, handle func(b []byte, err error) (bool, error)) <-chan struct{} {
	// AfterFunc starts no goroutine until ctx ends.
	stop := context.AfterFunc(ctx, func() { f.Close() })
	go func() {
		defer close(ch)
		defer f.Close()
		defer stop()
		buf := make([]byte, size)
		for {
			n, err := f.Read(buf)
			send, err := handle(buf[:n], err)
			if send {
				Notify(ch)
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// Notify sends on a capacity-1 channel without blocking: a value already
// waiting says the same thing.
func Notify(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
