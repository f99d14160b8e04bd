// Package photo prepares the photo of a visit for the data file: it accepts a JPEG or
// PNG, refuses anything else with a message a person understands, turns it the right
// way up (a phone's EXIF orientation), and shrinks it to at most MaxSide pixels on the
// long side, re-encoded as JPEG. Re-encoding also drops the
// camera's metadata (EXIF: GPS position, device serial), which the district does not
// need and a lost laptop should not give away.
//
// It is pure: bytes in, bytes out. It must never read the store or the screen.
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
)

// MaxSide is the longest side kept, in pixels: enough to see the person, the door and
// the house number, small enough (≈300 KB) to send over a 2G link.
const MaxSide = 1600

// MaxInput bounds what is read from a file: a phone camera's photo is 2–12 MB; anything
// far larger is not a photo of a visit.
const MaxInput = 40 << 20

// maxPixels bounds the decoded image, so that a crafted file declaring a huge size
// cannot exhaust memory (a "decompression bomb").
const maxPixels = 80_000_000

// Quality of the JPEG written.
const Quality = 85

// Errors a caller can tell apart.
var (
	ErrNotPhoto = errors.New("not a JPEG or PNG photo")
	ErrTooLarge = errors.New("the photo is too large")
)

// Prepared is a photo ready to store.
type Prepared struct {
	Data          []byte
	Type          string // MIME type of Data
	Width, Height int    // of Data
	// Source is the format of the original ("jpeg" or "png") and its size, the right
	// way up (as its EXIF orientation says).
	Source                    string
	SourceWidth, SourceHeight int
}

// Prepare reads a photo from r and makes it ready to store.
func Prepare(r io.Reader) (Prepared, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return Prepared{}, fmt.Errorf("read photo: %w", err)
	}
	if len(data) > MaxInput {
		return Prepared{}, fmt.Errorf("%w: more than %d MB", ErrTooLarge, MaxInput>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		return Prepared{}, ErrNotPhoto
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return Prepared{}, fmt.Errorf("%w: %d×%d pixels", ErrTooLarge, cfg.Width, cfg.Height)
	}
	var src image.Image
	if format == "jpeg" {
		src, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		src, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Prepared{}, fmt.Errorf("%w: the file is damaged (%v)", ErrNotPhoto, err)
	}
	b := src.Bounds()
	w, h := fit(b.Dx(), b.Dy(), MaxSide)
	// Always redrawn onto an opaque RGBA: a PNG's transparency becomes white (JPEG
	// has none), and the camera's metadata is left behind.
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	sw, sh := b.Dx(), b.Dy()
	if format == "jpeg" {
		// Turned after shrinking: the same result, on a quarter of the pixels or fewer.
		o := jpegOrientation(data)
		dst = orient(dst, o)
		if o >= orientTranspose {
			sw, sh = sh, sw
		}
		w, h = dst.Bounds().Dx(), dst.Bounds().Dy()
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: Quality}); err != nil {
		return Prepared{}, fmt.Errorf("encode photo: %w", err)
	}
	return Prepared{Data: out.Bytes(), Type: "image/jpeg", Width: w, Height: h,
		Source: format, SourceWidth: sw, SourceHeight: sh}, nil
}

// fit scales w×h down so that the long side is at most side, keeping the proportions.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, (h*side+w/2)/w)
	}
	return max(1, (w*side+h/2)/h), side
}
