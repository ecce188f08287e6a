package icon

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
)

// EncodeICO packs PNG images into one ICO file (PNG-in-ICO, read by
// Windows since Vista). Each image must be square and at most 256 px.
func EncodeICO(pngs [][]byte) ([]byte, error) {
	var buf bytes.Buffer
	le := binary.LittleEndian
	// ICONDIR: reserved, type 1 (icon), image count.
	buf.Write(le.AppendUint16(nil, 0))
	buf.Write(le.AppendUint16(nil, 1))
	buf.Write(le.AppendUint16(nil, uint16(len(pngs))))
	offset := 6 + 16*len(pngs)
	for _, p := range pngs {
		cfg, err := png.DecodeConfig(bytes.NewReader(p))
		if err != nil {
			return nil, fmt.Errorf("ico entry: %w", err)
		}
		if cfg.Width != cfg.Height || cfg.Width > 256 {
			return nil, fmt.Errorf("ico entry: %dx%d is not a square of at most 256 px", cfg.Width, cfg.Height)
		}
		// ICONDIRENTRY: width and height (0 means 256), colour count,
		// reserved, planes, bits per pixel, data size, data offset.
		buf.WriteByte(byte(cfg.Width))
		buf.WriteByte(byte(cfg.Height))
		buf.Write([]byte{0, 0})
		buf.Write(le.AppendUint16(nil, 1))
		buf.Write(le.AppendUint16(nil, 32))
		buf.Write(le.AppendUint32(nil, uint32(len(p))))
		buf.Write(le.AppendUint32(nil, uint32(offset)))
		offset += len(p)
	}
	for _, p := range pngs {
		buf.Write(p)
	}
	return buf.Bytes(), nil
}

// ICOEntry is one image of an ICO file as its directory describes it.
type ICOEntry struct {
	Width, Height int
	Data          []byte // the PNG stream
}

// DecodeICO reads the directory of a PNG-in-ICO file and returns its
// images' PNG streams, checking that each lies inside the file.
func DecodeICO(b []byte) ([]ICOEntry, error) {
	le := binary.LittleEndian
	if len(b) < 6 || le.Uint16(b[0:]) != 0 || le.Uint16(b[2:]) != 1 {
		return nil, errors.New("not an ICO file")
	}
	n := int(le.Uint16(b[4:]))
	if len(b) < 6+16*n {
		return nil, errors.New("ICO directory is truncated")
	}
	var out []ICOEntry
	for i := 0; i < n; i++ {
		e := b[6+16*i:]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		size, off := int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
		if off < 0 || size < 0 || off+size > len(b) {
			return nil, fmt.Errorf("ICO entry %d lies outside the file", i)
		}
		out = append(out, ICOEntry{Width: w, Height: h, Data: b[off : off+size]})
	}
	return out, nil
}
