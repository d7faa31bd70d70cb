package exchange

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
)

// The zip records of the canonical form, as archive/zip's Writer writes
// them for a streamed entry: a local header without sizes or CRC, the
// stored bytes, a data descriptor with its signature; then the central
// directory and an end record without comment.
const (
	localSig   = 0x04034b50
	centralSig = 0x02014b50
	descSig    = 0x08074b50
	endSig     = 0x06054b50
	localLen   = 30
	centralLen = 46
	descLen    = 16
	endLen     = 22
	zipVersion = 20  // version made by and needed: 2.0, MS-DOS
	flagDesc   = 0x8 // sizes and CRC follow the data
	maxNameLen = 200
)

// zent is one entry of the central directory of a canonical archive.
type zent struct {
	name   string
	method uint16
	crc    uint32
	csize  int64 // stored bytes
	usize  int64 // content bytes
	data   int64 // offset of the stored bytes
	local  []byte
}

// readLayout reads the central directory of r and checks that the archive
// is in canonical form: the entries follow each other without gap from
// offset 0, each local header and data descriptor says exactly what the
// central directory says, and the directory and end record fill the rest.
// Sizes are checked against lim here, before anything is inflated.
func readLayout(r io.ReaderAt, size int64, lim Limits) ([]zent, error) {
	if size < endLen {
		return nil, invalid("%d bytes is too short for a zip", size)
	}
	if size > maxArchive {
		return nil, tooLarge("%d bytes: the format has no zip64", size)
	}
	end := make([]byte, endLen)
	if _, err := r.ReadAt(end, size-endLen); err != nil {
		return nil, readErr("end record", err)
	}
	n, cdSize, cdOff, err := parseEnd(end, size)
	if err != nil {
		return nil, err
	}
	if n < 2 {
		return nil, invalid("%d entries; a package has at least %s and %s", n, ManifestName, SignatureName)
	}
	if n-2 > lim.MaxEntries {
		return nil, tooLarge("%d entries, more than %d", n-2, lim.MaxEntries)
	}
	if cdSize < int64(n)*centralLen || cdSize > int64(n)*(centralLen+maxNameLen) {
		return nil, invalid("central directory of %d bytes for %d entries", cdSize, n)
	}
	zs, err := readCentral(r, cdOff, cdSize, n, lim)
	if err != nil {
		return nil, err
	}
	for i := range zs {
		if err := checkLocal(r, &zs[i]); err != nil {
			return nil, err
		}
	}
	return zs, nil
}

// parseEnd reads the end record, which must be the last 22 bytes: one
// disk, no comment, the directory right before it.
func parseEnd(b []byte, size int64) (n int, cdSize, cdOff int64, err error) {
	le := binary.LittleEndian
	switch {
	case le.Uint32(b[0:]) != endSig:
		return 0, 0, 0, invalid("no zip end record in the last %d bytes", endLen)
	case le.Uint16(b[4:]) != 0 || le.Uint16(b[6:]) != 0:
		return 0, 0, 0, invalid("zip end record names a second disk")
	case le.Uint16(b[8:]) != le.Uint16(b[10:]):
		return 0, 0, 0, invalid("zip end record counts %d entries on this disk, %d in all", le.Uint16(b[8:]), le.Uint16(b[10:]))
	case le.Uint16(b[20:]) != 0:
		return 0, 0, 0, invalid("zip comment")
	}
	n, cdSize, cdOff = int(le.Uint16(b[10:])), int64(le.Uint32(b[12:])), int64(le.Uint32(b[16:]))
	if cdOff+cdSize != size-endLen {
		return 0, 0, 0, invalid("central directory at %d of %d bytes does not end at the end record (%d)", cdOff, cdSize, size-endLen)
	}
	return n, cdSize, cdOff, nil
}

// readCentral reads n directory records from cdOff, which must fill
// cdSize exactly and describe entries laid end to end from offset 0.
func readCentral(r io.ReaderAt, cdOff, cdSize int64, n int, lim Limits) ([]zent, error) {
	br := bufio.NewReader(io.NewSectionReader(r, cdOff, cdSize))
	zs := make([]zent, 0, n)
	var next, read, total int64
	for i := range n {
		z, rec, err := readRecord(br, i)
		if err != nil {
			return nil, err
		}
		read += rec
		if err := checkSizes(z, i, lim); err != nil {
			return nil, err
		}
		if total += z.usize; total > lim.MaxTotal {
			return nil, tooLarge("entries hold more than %d bytes", lim.MaxTotal)
		}
		if z.data-localLen-int64(len(z.name)) != next {
			return nil, invalid("entry %d %q: local header at %d, not right after the entry before (%d)", i, z.name, z.data-localLen-int64(len(z.name)), next)
		}
		next = z.data + z.csize + descLen
		zs = append(zs, z)
	}
	if read != cdSize {
		return nil, invalid("central directory holds %d bytes after its %d records", cdSize-read, n)
	}
	if next != cdOff {
		return nil, invalid("entries end at %d, the central directory begins at %d", next, cdOff)
	}
	return zs, nil
}

// readRecord reads one central directory record, allowing only what the
// writer writes, and the local header it implies.
func readRecord(br *bufio.Reader, i int) (zent, int64, error) {
	var b [centralLen]byte
	if _, err := io.ReadFull(br, b[:]); err != nil {
		return zent{}, 0, invalid("central directory record %d: %v", i, err)
	}
	le := binary.LittleEndian
	z := zent{method: le.Uint16(b[10:]), crc: le.Uint32(b[16:]), csize: int64(le.Uint32(b[20:])), usize: int64(le.Uint32(b[24:]))}
	nameLen := int(le.Uint16(b[28:]))
	switch {
	case le.Uint32(b[0:]) != centralSig:
		return zent{}, 0, invalid("central directory record %d: bad signature", i)
	case le.Uint16(b[4:]) != zipVersion || le.Uint16(b[6:]) != zipVersion:
		return zent{}, 0, invalid("central directory record %d: zip version %#04x/%#04x", i, le.Uint16(b[4:]), le.Uint16(b[6:]))
	case le.Uint16(b[8:]) != flagDesc:
		return zent{}, 0, invalid("central directory record %d: flags %#04x", i, le.Uint16(b[8:]))
	case z.method != zip.Store && z.method != zip.Deflate:
		return zent{}, 0, invalid("central directory record %d: compression method %d", i, z.method)
	case nameLen == 0 || nameLen > maxNameLen:
		return zent{}, 0, invalid("central directory record %d: name of %d bytes", i, nameLen)
	case le.Uint16(b[30:]) != 0 || le.Uint16(b[32:]) != 0:
		return zent{}, 0, invalid("central directory record %d: extra field or comment", i)
	case le.Uint16(b[34:]) != 0 || le.Uint16(b[36:]) != 0 || le.Uint32(b[38:]) != 0:
		return zent{}, 0, invalid("central directory record %d: disk or attributes set", i)
	}
	name := make([]byte, nameLen)
	if _, err := io.ReadFull(br, name); err != nil {
		return zent{}, 0, invalid("central directory record %d: %v", i, err)
	}
	z.name = string(name)
	z.data = int64(le.Uint32(b[42:])) + localLen + int64(nameLen)
	// The local header repeats version, flags, method, time and date;
	// CRC and sizes are zero because a data descriptor follows.
	z.local = make([]byte, 0, localLen+nameLen)
	z.local = le.AppendUint32(z.local, localSig)
	z.local = append(z.local, b[6:16]...)
	z.local = append(z.local, make([]byte, 12)...)
	z.local = le.AppendUint16(z.local, uint16(nameLen))
	z.local = le.AppendUint16(z.local, 0)
	z.local = append(z.local, name...)
	return z, centralLen + int64(nameLen), nil
}

// checkSizes refuses, from the directory alone, an entry whose content
// would be over the limits or whose compression is that of a bomb.
func checkSizes(z zent, i int, lim Limits) error {
	switch {
	case z.usize > lim.MaxEntry:
		return tooLarge("entry %d %q: %d bytes, more than %d", i, z.name, z.usize, lim.MaxEntry)
	case z.method == zip.Store && z.csize != z.usize:
		return invalid("entry %d %q: stored, yet %d bytes hold %d", i, z.name, z.csize, z.usize)
	case z.method == zip.Deflate && z.usize >= 1<<20 && z.usize > z.csize*lim.MaxRatio:
		return tooLarge("entry %d %q: %d bytes inflate to %d, more than %d times", i, z.name, z.csize, z.usize, lim.MaxRatio)
	}
	return nil
}

// checkLocal compares z's local header and data descriptor, byte for
// byte, with what its directory record implies.
func checkLocal(r io.ReaderAt, z *zent) error {
	got := make([]byte, len(z.local))
	if _, err := r.ReadAt(got, z.data-int64(len(z.local))); err != nil {
		return readErr("local header of "+z.name, err)
	}
	if !bytes.Equal(got, z.local) {
		return invalid("local header of %q differs from the central directory", z.name)
	}
	want := make([]byte, 0, descLen)
	le := binary.LittleEndian
	want = le.AppendUint32(want, descSig)
	want = le.AppendUint32(want, z.crc)
	want = le.AppendUint32(want, uint32(z.csize))
	want = le.AppendUint32(want, uint32(z.usize))
	got = got[:descLen]
	if _, err := r.ReadAt(got, z.data+z.csize); err != nil {
		return readErr("data descriptor of "+z.name, err)
	}
	if !bytes.Equal(got, want) {
		return invalid("data descriptor of %q differs from the central directory", z.name)
	}
	z.local = nil // no longer needed; keeps a large directory small
	return nil
}
