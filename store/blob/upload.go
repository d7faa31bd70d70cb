package blob

import "io"

// receiveBuffers is how many sendSize buffers an upload cycles through
// between the goroutine that reads and hashes and the one that encrypts
// and writes.
const receiveBuffers = 3

// asyncWriter hands what is written to it to a goroutine that writes it
// to w, so that the writer's work (encrypting, writing to the bucket)
// overlaps the caller's (reading the request, hashing). Write copies p;
// Close waits for every write and returns the first error.
type asyncWriter struct {
	w      io.Writer
	free   chan []byte
	full   chan []byte
	failed chan struct{} // closed when a write to w fails
	done   chan struct{} // closed when the goroutine has ended
	err    error         // the first failed write's; read after failed or done
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, free: make(chan []byte, receiveBuffers), full: make(chan []byte, receiveBuffers),
		failed: make(chan struct{}), done: make(chan struct{})}
	for range receiveBuffers {
		a.free <- make([]byte, sendSize)
	}
	go a.run()
	return a
}

func (a *asyncWriter) run() {
	defer close(a.done)
	for b := range a.full {
		if a.err == nil {
			if _, err := a.w.Write(b); err != nil {
				a.err = err
				close(a.failed)
			}
		}
		a.free <- b[:cap(b)]
	}
}

// Write queues a copy of p; it fails once a write to w has failed.
func (a *asyncWriter) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		select {
		case <-a.failed:
			return written, a.err
		case b := <-a.free:
			n := copy(b, p[written:])
			a.full <- b[:n]
			written += n
		}
	}
	return written, nil
}

// Close waits until everything queued is written (or dropped after a
// failure) and returns the first error.
func (a *asyncWriter) Close() error {
	close(a.full)
	<-a.done
	return a.err
}
