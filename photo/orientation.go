package photo

import (
	"bytes"
	"encoding/binary"
	"image"
)

// A phone stores a portrait photo as the sensor saw it — on its side — and says in the
// EXIF Orientation tag how to turn it. Re-encoding drops the tag, so it is applied first.
//
// Only that one tag is read, by hand, rather than with github.com/dsoprea/go-exif/v3:
// the library parses every IFD, maker note and thumbnail of an untrusted file, brings
// half a dozen modules of its author's (go-logging, go-utility, go-errors…) and reports
// errors by panicking and recovering; we need two bytes from IFD0. The walk below reads
// JPEG segment lengths and one IFD with every offset bounds-checked, and FuzzOrientation
// holds it to never panicking and always answering 1–8.

// The EXIF Orientation values (TIFF tag 0x0112): where the stored image's first row and
// first column are in the picture as seen.
const (
	orientNormal     = 1 // top, left
	orientFlipH      = 2 // top, right
	orientRotate180  = 3 // bottom, right
	orientFlipV      = 4 // bottom, left
	orientTranspose  = 5 // left, top
	orientRotate90   = 6 // right, top: turn 90° clockwise to see it
	orientTransverse = 7 // right, bottom
	orientRotate270  = 8 // left, bottom: turn 90° anticlockwise
)

const tagOrientation = 0x0112

// jpegOrientation is the EXIF orientation of a JPEG, orientNormal when it has none or
// the metadata is damaged: a photo shown unturned is better than a photo refused.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return orientNormal
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return orientNormal
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD8 || marker == 0x01 || marker >= 0xD0 && marker <= 0xD7:
			i += 2 // no length
			continue
		case marker == 0xDA || marker == 0xD9:
			// The image data starts (or the file ends): EXIF comes before it.
			return orientNormal
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return orientNormal
		}
		segment := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(segment, []byte("Exif\x00\x00")) {
			return tiffOrientation(segment[6:])
		}
		i += 2 + n
	}
	return orientNormal
}

// tiffOrientation reads the Orientation tag from IFD0 of a TIFF header (the body of an
// EXIF segment).
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return orientNormal
	}
	var order binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return orientNormal
	}
	ifd := uint64(order.Uint32(t[4:]))
	if ifd+2 > uint64(len(t)) {
		return orientNormal
	}
	count := uint64(order.Uint16(t[ifd:]))
	for k := range count {
		e := ifd + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return orientNormal
		}
		if order.Uint16(t[e:]) != tagOrientation {
			continue
		}
		// A SHORT, one of it, held in the entry itself.
		if typ, n := order.Uint16(t[e+2:]), order.Uint32(t[e+4:]); typ != 3 || n != 1 {
			return orientNormal
		}
		if v := int(order.Uint16(t[e+8:])); v >= orientNormal && v <= orientRotate270 {
			return v
		}
		return orientNormal
	}
	return orientNormal
}

// orient turns an image stored with orientation o into the picture as seen. It works
// on the shrunk image (at most MaxSide square), so the copy is cheap.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o <= orientNormal || o > orientRotate270 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= orientTranspose {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for sy := range h {
		for sx := range w {
			var dx, dy int
			switch o {
			case orientFlipH:
				dx, dy = w-1-sx, sy
			case orientRotate180:
				dx, dy = w-1-sx, h-1-sy
			case orientFlipV:
				dx, dy = sx, h-1-sy
			case orientTranspose:
				dx, dy = sy, sx
			case orientRotate90:
				dx, dy = h-1-sy, sx
			case orientTransverse:
				dx, dy = h-1-sy, w-1-sx
			case orientRotate270:
				dx, dy = sy, w-1-sx
			}
			si := src.PixOffset(b.Min.X+sx, b.Min.Y+sy)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
