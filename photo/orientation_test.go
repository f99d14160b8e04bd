package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// exifSegment is an APP1 segment whose IFD0 holds an Orientation of o (after a
// Make tag, so the walk must skip an entry), in the byte order given.
func exifSegment(o int, order binary.ByteOrder) []byte {
	var t bytes.Buffer
	if order == binary.BigEndian {
		t.WriteString("MM\x00*")
	} else {
		t.WriteString("II*\x00")
	}
	binary.Write(&t, order, uint32(8))
	binary.Write(&t, order, uint16(2))
	// 0x010F Make, ASCII, 4 bytes held in the entry.
	binary.Write(&t, order, []uint16{0x010F, 2})
	binary.Write(&t, order, uint32(4))
	t.WriteString("HMD\x00")
	binary.Write(&t, order, []uint16{tagOrientation, 3})
	binary.Write(&t, order, uint32(1))
	binary.Write(&t, order, []uint16{uint16(o), 0})
	binary.Write(&t, order, uint32(0)) // no IFD1
	body := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

// withExif puts an EXIF segment after the JPEG's JFIF header, where phones put it.
func withExif(t *testing.T, jpg []byte, o int, order binary.ByteOrder) []byte {
	t.Helper()
	app0 := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app0...)
	out = append(out, exifSegment(o, order)...)
	return append(out, jpg[2:]...)
}

// Four colours, one per quadrant of the picture as seen: any turn or mirror moves them.
var quadrants = [2][2]color.RGBA{{{220, 30, 30, 255}, {30, 200, 30, 255}}, {{30, 30, 220, 255}, {240, 240, 240, 255}}}

// stored is how a camera stores the picture seen (dw×dh, quadrant colours) under
// orientation o, written from the EXIF table of where the stored image's first row and
// first column are — not from the code under test.
func stored(o, dw, dh int) *image.RGBA {
	rowAt := map[int]string{1: "top", 2: "top", 3: "bottom", 4: "bottom", 5: "left", 6: "right", 7: "right", 8: "left"}[o]
	colAt := map[int]string{1: "left", 2: "right", 3: "right", 4: "left", 5: "top", 6: "top", 7: "bottom", 8: "bottom"}[o]
	sw, sh := dw, dh
	if o >= 5 {
		sw, sh = dh, dw
	}
	img := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for sy := range sh {
		for sx := range sw {
			var dx, dy int
			if o <= 4 {
				dy, dx = sy, sx
				if rowAt == "bottom" {
					dy = dh - 1 - sy
				}
				if colAt == "right" {
					dx = dw - 1 - sx
				}
			} else {
				dx, dy = sy, sx
				if rowAt == "right" {
					dx = dw - 1 - sy
				}
				if colAt == "bottom" {
					dy = dh - 1 - sx
				}
			}
			img.SetRGBA(sx, sy, quadrants[dy*2/dh][dx*2/dw])
		}
	}
	return img
}

func near(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) bool { return x>>8 < y>>8+40 && y>>8 < x>>8+40 }
	return d(r1, r2) && d(g1, g2) && d(b1, b2)
}

// TestPhoneOrientation: a portrait photo from a phone, stored on its side with
// orientation 6 (and every other orientation, in both byte orders), comes out the right
// way up and the right way round.
func TestPhoneOrientation(t *testing.T) {
	const dw, dh = 120, 200 // portrait, as seen
	for o := 1; o <= 8; o++ {
		for _, order := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			var b bytes.Buffer
			if err := jpeg.Encode(&b, stored(o, dw, dh), &jpeg.Options{Quality: 95}); err != nil {
				t.Fatal(err)
			}
			data := withExif(t, b.Bytes(), o, order)
			if got := jpegOrientation(data); got != o {
				t.Fatalf("orientation %d (%v) read as %d", o, order, got)
			}
			p, err := Prepare(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != dw || p.Height != dh || p.SourceWidth != dw || p.SourceHeight != dh {
				t.Errorf("orientation %d: %d×%d (source %d×%d), want portrait %d×%d", o, p.Width, p.Height, p.SourceWidth, p.SourceHeight, dw, dh)
				continue
			}
			img, err := jpeg.Decode(bytes.NewReader(p.Data))
			if err != nil {
				t.Fatal(err)
			}
			for qy := range 2 {
				for qx := range 2 {
					at := img.At(dw/4+qx*dw/2, dh/4+qy*dh/2)
					if !near(at, quadrants[qy][qx]) {
						t.Errorf("orientation %d (%v): quadrant %d,%d is %v, want %v", o, order, qx, qy, at, quadrants[qy][qx])
					}
				}
			}
			if jpegOrientation(p.Data) != orientNormal {
				t.Errorf("orientation %d: the stored photo still carries an orientation", o)
			}
		}
	}
}

func TestOrientationOfDamagedMetadata(t *testing.T) {
	var b bytes.Buffer
	jpeg.Encode(&b, picture(8, 8), nil)
	good := withExif(t, b.Bytes(), 6, binary.BigEndian)
	exifAt := 2 + 18
	for name, data := range map[string][]byte{
		"empty":              nil,
		"not a JPEG":         []byte("GIF89a"),
		"no EXIF":            b.Bytes(),
		"segment too long":   append(append([]byte{}, good[:exifAt+2]...), 0xFF, 0xFF),
		"truncated IFD":      good[:exifAt+4+6+12],
		"value out of range": withExif(t, b.Bytes(), 9, binary.LittleEndian),
	} {
		if got := jpegOrientation(data); got != orientNormal {
			t.Errorf("%s: orientation %d, want %d", name, got, orientNormal)
		}
	}
}

// FuzzOrientation: whatever the bytes, the walk answers 1–8 and never panics.
func FuzzOrientation(f *testing.F) {
	var b bytes.Buffer
	jpeg.Encode(&b, picture(4, 4), nil)
	f.Add(b.Bytes()[:200])
	for o := 1; o <= 8; o++ {
		f.Add(append([]byte{0xFF, 0xD8}, exifSegment(o, binary.LittleEndian)...))
		f.Add(append([]byte{0xFF, 0xD8}, exifSegment(o, binary.BigEndian)...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Errorf("orientation %d", o)
		}
		tiffOrientation(data)
	})
}
