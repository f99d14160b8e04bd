package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func picture(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func encoded(t *testing.T, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG that declares w×h and holds no pixels: what a decompression bomb
// looks like before it is decoded.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestPrepare(t *testing.T) {
	big := encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, picture(3200, 2400), nil) })
	tall := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(900, 2000)) })
	small := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(640, 480)) })
	gifData := encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, picture(10, 10), nil) })
	tests := []struct {
		name   string
		data   []byte
		w, h   int
		source string
		err    error
	}{
		{"large JPEG shrunk to 1600 on the long side", big, 1600, 1200, "jpeg", nil},
		{"tall PNG shrunk by its height", tall, 720, 1600, "png", nil},
		{"small PNG kept at its size", small, 640, 480, "png", nil},
		{"GIF refused", gifData, 0, 0, "", ErrNotPhoto},
		{"text refused", []byte("这不是照片"), 0, 0, "", ErrNotPhoto},
		{"empty refused", nil, 0, 0, "", ErrNotPhoto},
		{"truncated JPEG refused", big[:len(big)/3], 0, 0, "", ErrNotPhoto},
		{"huge declared size refused before decoding", pngHeader(100000, 100000), 0, 0, "", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Prepare(bytes.NewReader(tt.data))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != tt.w || p.Height != tt.h || p.Source != tt.source || p.Type != "image/jpeg" {
				t.Errorf("got %dx%d from %s (%s), want %dx%d from %s", p.Width, p.Height, p.Source, p.Type, tt.w, tt.h, tt.source)
			}
			img, err := jpeg.Decode(bytes.NewReader(p.Data))
			if err != nil {
				t.Fatalf("output is not a JPEG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("output is %v", b)
			}
		})
	}
}

func TestTransparencyBecomesWhite(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20)) // all transparent
	p, err := Prepare(bytes.NewReader(encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, img) })))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jpeg.Decode(bytes.NewReader(p.Data))
	if r, g, b, _ := out.At(10, 10).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Errorf("transparent pixel became %d,%d,%d", r>>8, g>>8, b>>8)
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct{ w, h, ww, wh int }{
		{1600, 1200, 1600, 1200}, {1601, 1, 1600, 1}, {1, 5000, 1, 1600}, {4000, 3000, 1600, 1200}, {3000, 4000, 1200, 1600},
	} {
		if w, h := fit(tt.w, tt.h, MaxSide); w != tt.ww || h != tt.wh {
			t.Errorf("fit(%d,%d) = %d,%d want %d,%d", tt.w, tt.h, w, h, tt.ww, tt.wh)
		}
	}
}

// FuzzPrepare: whatever the bytes, Prepare returns a JPEG no larger than MaxSide or an
// error, and never panics.
func FuzzPrepare(f *testing.F) {
	var b bytes.Buffer
	png.Encode(&b, picture(30, 20))
	f.Add(b.Bytes())
	b.Reset()
	jpeg.Encode(&b, picture(30, 20), nil)
	f.Add(b.Bytes())
	f.Add(pngHeader(5000, 5000))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Prepare(bytes.NewReader(data))
		if err != nil {
			return
		}
		if p.Width > MaxSide || p.Height > MaxSide || len(p.Data) == 0 {
			t.Fatalf("prepared %dx%d, %d bytes", p.Width, p.Height, len(p.Data))
		}
	})
}
