package blob

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The stream format (version 1), after Tink's streaming AEAD and age:
//
//	header: "OMHB" | version (1 byte) | nonce prefix (7 random bytes)
//	chunks: AES-256-GCM(data key, nonce = prefix | counter (4 bytes, big
//	        endian) | last (1 byte: 1 on the final chunk, else 0),
//	        associated data = header), each of ChunkSize plaintext bytes
//	        but the final one, which holds 0..ChunkSize.
//
// The counter in the nonce stops chunks being reordered, dropped or
// repeated; the last flag stops the stream being cut at a chunk boundary
// or extended; the header as associated data stops its version or prefix
// being changed. Empty content is one empty final chunk.
const (
	// ChunkSize is the plaintext in every chunk but the last.
	ChunkSize     = 64 << 10
	streamMagic   = "OMHB"
	streamVersion = 1
	prefixSize    = 7
	headerSize    = len(streamMagic) + 1 + prefixSize
	tagSize       = 16
	maxChunks     = 1<<32 - 1
)

// EncryptWriter returns a writer that encrypts what is written to it with
// dataKey (KeySize bytes) onto w. Close seals the final chunk and must be
// called; it does not close w. A bad key is reported by the first Write or
// Close.
func EncryptWriter(w io.Writer, dataKey []byte) io.WriteCloser {
	e := &encrypter{w: w, buf: make([]byte, 0, ChunkSize), out: make([]byte, 0, ChunkSize+tagSize)}
	e.aead, e.err = newGCM(dataKey)
	if e.err == nil {
		e.header = make([]byte, headerSize)
		copy(e.header, streamMagic)
		e.header[len(streamMagic)] = streamVersion
		if _, err := rand.Read(e.header[len(streamMagic)+1:]); err != nil {
			e.err = err
		}
	}
	return e
}

type encrypter struct {
	w       io.Writer
	aead    cipher.AEAD
	header  []byte
	counter uint64
	wrote   bool   // the header is out
	buf     []byte // plaintext of the chunk being filled
	out     []byte // scratch for a sealed chunk
	err     error  // sticky
}

func (e *encrypter) Write(p []byte) (int, error) {
	n := 0
	for e.err == nil && len(p) > 0 {
		// A full chunk is sealed only when more follows: the final chunk
		// must carry the last flag, and only Close knows which it is.
		if len(e.buf) == ChunkSize {
			e.err = e.seal(false)
			continue
		}
		k := copy(e.buf[len(e.buf):ChunkSize], p)
		e.buf = e.buf[:len(e.buf)+k]
		p, n = p[k:], n+k
	}
	return n, e.err
}

// Close seals the final chunk. It is an error to write after Close.
func (e *encrypter) Close() error {
	if e.err != nil {
		return e.err
	}
	e.err = e.seal(true)
	if e.err == nil {
		e.err = errors.New("blob: write to a closed EncryptWriter")
		return nil
	}
	return e.err
}

func (e *encrypter) seal(last bool) error {
	if e.counter > maxChunks {
		return fmt.Errorf("%w: more than %d chunks", ErrTooLarge, maxChunks)
	}
	if !e.wrote {
		if _, err := e.w.Write(e.header); err != nil {
			return err
		}
		e.wrote = true
	}
	nonce := chunkNonce(e.header, e.counter, last)
	e.out = e.aead.Seal(e.out[:0], nonce[:], e.buf, e.header)
	e.buf = e.buf[:0]
	e.counter++
	_, err := e.w.Write(e.out)
	return err
}

func chunkNonce(header []byte, counter uint64, last bool) [12]byte {
	var n [12]byte
	copy(n[:prefixSize], header[len(streamMagic)+1:])
	binary.BigEndian.PutUint32(n[prefixSize:], uint32(counter))
	if last {
		n[11] = 1
	}
	return n
}

// DecryptReader returns a reader of the plaintext of the stream r, written
// by EncryptWriter with dataKey. Any change, truncation, extension or
// reordering is an error wrapping ErrCorrupt, and no byte of a chunk is
// returned before the whole chunk authenticates. Earlier, authentic chunks
// may have been returned before a later one fails, so a caller that must
// not act on a part of a file reads it to the end before acting, and
// checks the recorded size and SHA-256 too (VerifyingReader): they catch
// content swapped between records that share a data key by mistake.
func DecryptReader(r io.Reader, dataKey []byte) io.Reader {
	d := &decrypter{r: bufio.NewReaderSize(r, headerSize+1)}
	d.aead, d.err = newGCM(dataKey)
	return d
}

type decrypter struct {
	r       *bufio.Reader
	aead    cipher.AEAD
	header  []byte
	counter uint64
	in      []byte // a sealed chunk as read
	plain   []byte // authenticated plaintext not yet returned
	done    bool   // the final chunk has authenticated
	err     error  // sticky
}

func (d *decrypter) Read(p []byte) (int, error) {
	for len(d.plain) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.plain)
	d.plain = d.plain[n:]
	return n, nil
}

// next reads, authenticates and decrypts one chunk into d.plain.
func (d *decrypter) next() error {
	if d.header == nil {
		if err := d.readHeader(); err != nil {
			return err
		}
	}
	if d.in == nil {
		d.in = make([]byte, ChunkSize+tagSize)
	}
	n, err := io.ReadFull(d.r, d.in)
	last := false
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		last = true // a short chunk claims to be the final one
	case err != nil:
		return err
	default:
		// A full chunk is the final one only when nothing follows it.
		_, perr := d.r.Peek(1)
		if perr != nil && perr != io.EOF {
			return perr
		}
		last = perr == io.EOF
	}
	if d.counter > maxChunks {
		return fmt.Errorf("%w: more than %d chunks", ErrCorrupt, maxChunks)
	}
	nonce := chunkNonce(d.header, d.counter, last)
	plain, err := d.aead.Open(d.in[:0], nonce[:], d.in[:n], d.header)
	if err != nil {
		return fmt.Errorf("%w: chunk %d does not authenticate", ErrCorrupt, d.counter)
	}
	d.plain, d.done = plain, last
	d.counter++
	return nil
}

func (d *decrypter) readHeader() error {
	h := make([]byte, headerSize)
	if _, err := io.ReadFull(d.r, h); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: no header", ErrCorrupt)
		}
		return err
	}
	if !bytes.Equal(h[:len(streamMagic)], []byte(streamMagic)) || h[len(streamMagic)] != streamVersion {
		return fmt.Errorf("%w: not an encrypted stream of version %d", ErrCorrupt, streamVersion)
	}
	d.header = h
	return nil
}

// VerifyingReader passes r through, and at its end returns an error
// wrapping ErrCorrupt instead of io.EOF when what was read is not size
// bytes with the SHA-256 sum. Bytes beyond size are not returned.
func VerifyingReader(r io.Reader, size int64, sum []byte) io.Reader {
	return newVerifier(r, size, sum)
}

func newVerifier(r io.Reader, size int64, sum []byte) *verifier {
	return &verifier{r: r, want: size, sum: sum, h: sha256.New()}
}

type verifier struct {
	r    io.Reader
	want int64
	n    int64
	sum  []byte
	h    interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	n, terr := v.take(p[:n])
	if terr != nil {
		return n, terr
	}
	if err == io.EOF {
		if ferr := v.finish(); ferr != nil {
			return n, ferr
		}
	}
	return n, err
}

// take counts and hashes p, the next bytes read; bytes beyond the
// recorded size are cut off with an error.
func (v *verifier) take(p []byte) (int, error) {
	var err error
	n := len(p)
	if v.n+int64(n) > v.want {
		n = int(v.want - v.n)
		err = fmt.Errorf("%w: longer than the recorded %d bytes", ErrCorrupt, v.want)
	}
	v.h.Write(p[:n])
	v.n += int64(n)
	return n, err
}

// finish checks, at the end, the size and the digest of all taken.
func (v *verifier) finish() error {
	if v.n != v.want {
		return fmt.Errorf("%w: %d bytes, the record says %d", ErrCorrupt, v.n, v.want)
	}
	if !bytes.Equal(v.h.Sum(nil), v.sum) {
		return fmt.Errorf("%w: the SHA-256 differs from the record's", ErrCorrupt)
	}
	return nil
}
