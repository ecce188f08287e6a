package icon

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
)

// AppIconState and AppIconSizes make the macOS app's icon (the Finder's,
// the notarized bundle's): the clear state, at the sizes the ICNS types
// below hold as PNG.
var (
	AppIconState = "clear"
	AppIconSizes = []int{128, 256, 512, 1024}
)

// icnsTypes are the ICNS element types whose payload is a PNG, read by
// macOS since 10.7, by pixel size: ic07 128, ic08 256, ic09 512, ic10
// 1024 (512 at 2x).
var icnsTypes = map[int]string{128: "ic07", 256: "ic08", 512: "ic09", 1024: "ic10"}

// EncodeICNS packs square PNG images of the sizes of icnsTypes into an
// ICNS file: the magic "icns" and the file's length, then per image its
// type, its length with this 8-byte header, and the PNG; all big-endian.
func EncodeICNS(pngs [][]byte) ([]byte, error) {
	var body bytes.Buffer
	be := binary.BigEndian
	for _, p := range pngs {
		cfg, err := png.DecodeConfig(bytes.NewReader(p))
		if err != nil {
			return nil, fmt.Errorf("icns entry: %w", err)
		}
		typ, ok := icnsTypes[cfg.Width]
		if !ok || cfg.Width != cfg.Height {
			return nil, fmt.Errorf("icns entry: %dx%d is not a square of 128, 256, 512 or 1024 px", cfg.Width, cfg.Height)
		}
		body.WriteString(typ)
		body.Write(be.AppendUint32(nil, uint32(8+len(p))))
		body.Write(p)
	}
	out := append([]byte("icns"), be.AppendUint32(nil, uint32(8+body.Len()))...)
	return append(out, body.Bytes()...), nil
}

// ICNSEntry is one element of an ICNS file.
type ICNSEntry struct {
	Type string
	Data []byte
}

// DecodeICNS splits an ICNS file into its elements, checking that the
// lengths add up to the file's.
func DecodeICNS(b []byte) ([]ICNSEntry, error) {
	be := binary.BigEndian
	if len(b) < 8 || string(b[:4]) != "icns" {
		return nil, errors.New("not an ICNS file")
	}
	if int(be.Uint32(b[4:])) != len(b) {
		return nil, fmt.Errorf("ICNS header says %d bytes, the file has %d", be.Uint32(b[4:]), len(b))
	}
	var out []ICNSEntry
	for rest := b[8:]; len(rest) > 0; {
		if len(rest) < 8 {
			return nil, errors.New("ICNS element header is truncated")
		}
		n := int(be.Uint32(rest[4:]))
		if n < 8 || n > len(rest) {
			return nil, fmt.Errorf("ICNS element %q lies outside the file", rest[:4])
		}
		out = append(out, ICNSEntry{Type: string(rest[:4]), Data: rest[8:n]})
		rest = rest[n:]
	}
	return out, nil
}
