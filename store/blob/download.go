package blob

import (
	"errors"
	"io"
)

// sendSize is how much content a download hands the connection at a time:
// a few chunks, so that a download is a few large writes, not many small
// ones (io.Copy's buffer is 32 KB).
const sendSize = 4 * ChunkSize

// sendBuffers is how many sendSize buffers a download cycles through: one
// being decrypted, one being hashed, one being written, one held back.
const sendBuffers = 4

// contentReader is the plaintext of stored content, decrypted (dec) and checked
// against the recorded size and SHA-256 (v) as it is read.
type contentReader struct {
	dec io.Reader
	v   *verifier
	io.Closer
}

func (d *contentReader) Read(p []byte) (int, error) { return d.v.Read(p) }

// WriteTo sends the content to w in a pipeline of three goroutines, so
// that on a machine with more than one core decrypting, hashing and
// writing overlap: this one reads and decrypts (every chunk authenticated
// before it is passed on), the next counts and hashes, the last writes.
// The last buffer is held back until the end has been checked against
// the recorded size and SHA-256: content that fails the check never
// reaches w whole, so a client that knows the length sees a cut transfer.
// A failed write stops the reading.
func (d *contentReader) WriteTo(w io.Writer) (int64, error) {
	p := newPipeline(w, d.v)
	for {
		buf, ok := p.next()
		if !ok {
			break // the writer failed
		}
		n, err := io.ReadFull(d.dec, buf)
		if n > 0 {
			p.hash <- buf[:n]
		} else {
			p.free <- buf
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			p.readErr = err
			break
		}
	}
	return p.close()
}

// pipeline is the hashing and the writing stages of a download.
type pipeline struct {
	free    chan []byte   // buffers to fill
	hash    chan []byte   // filled, to be hashed
	write   chan []byte   // hashed, to be written
	failed  chan struct{} // closed when a write fails
	done    chan struct{} // closed when both stages have ended
	readErr error         // the reading stage's; set before hash is closed
	sumErr  error         // the hashing stage's; read after done
	wErr    error         // the writing stage's; read after done
	written int64         // read after done
}

func newPipeline(w io.Writer, v *verifier) *pipeline {
	p := &pipeline{
		free: make(chan []byte, sendBuffers), hash: make(chan []byte, 1), write: make(chan []byte, 1),
		failed: make(chan struct{}), done: make(chan struct{}),
	}
	for range sendBuffers {
		p.free <- make([]byte, sendSize)
	}
	hashed := make(chan struct{})
	go p.hashing(v, hashed)
	go func() {
		defer close(p.done)
		p.writing(w)
		<-hashed
	}()
	return p
}

// hashing passes each buffer on once the next has come, and the last only
// when the whole content has been read without error and checked.
func (p *pipeline) hashing(v *verifier, hashed chan<- struct{}) {
	defer close(hashed)
	defer close(p.write)
	var pending []byte
	for b := range p.hash {
		if p.sumErr != nil {
			p.free <- b
			continue
		}
		n, err := v.take(b)
		if pending != nil {
			p.write <- pending
		}
		pending, p.sumErr = b[:n], err
	}
	if p.sumErr == nil && p.readErr == nil {
		p.sumErr = v.finish()
	}
	if pending != nil && p.sumErr == nil && p.readErr == nil {
		p.write <- pending
	} else if pending != nil {
		p.free <- pending
	}
}

// writing writes each buffer to w until a write fails, and gives every
// buffer back.
func (p *pipeline) writing(w io.Writer) {
	for b := range p.write {
		if p.wErr == nil {
			n, err := w.Write(b)
			p.written += int64(n)
			if p.wErr = err; err != nil {
				close(p.failed)
			}
		}
		p.free <- b[:cap(b)]
	}
}

// next is a buffer to fill; false once a write has failed.
func (p *pipeline) next() ([]byte, bool) {
	select {
	case <-p.failed:
		return nil, false
	case b := <-p.free:
		return b[:cap(b)], true
	}
}

// close ends the reading stage, waits for the others, and returns what
// was written and the first error: the reading stage's, the writing
// stage's (which stops the reading, so that the end is never checked),
// then the check's.
func (p *pipeline) close() (int64, error) {
	close(p.hash)
	<-p.done
	return p.written, firstErr(p.readErr, p.wErr, p.sumErr)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
