package demo

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
)

// PhotoFile is the name of the demo's photo of a visit.
const PhotoFile = "入户照片-演示.jpg"

// WritePhoto draws a photo of a visit — a house with a red door under a blue sky, the
// size a phone camera takes — and writes it as a JPEG in dir, so that the photo step of
// the demo has something to attach. It returns the file's path.
func WritePhoto(dir string) (string, error) {
	const w, h = 2400, 1800
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := max(0, y0); y < min(h, y1); y++ {
			for x := max(0, x0); x < min(w, x1); x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	fill(0, 0, w, h*2/3, color.RGBA{135, 190, 235, 255})       // sky
	fill(0, h*2/3, w, h, color.RGBA{120, 150, 80, 255})        // yard
	fill(600, 700, 1800, 1400, color.RGBA{225, 215, 195, 255}) // wall
	for y := 350; y < 700; y++ {                               // roof
		half := (y - 350) * 700 / 350
		fill(1200-half, y, 1200+half, y+1, color.RGBA{90, 90, 100, 255})
	}
	fill(1080, 1000, 1320, 1400, color.RGBA{180, 30, 30, 255}) // door
	fill(750, 850, 950, 1050, color.RGBA{70, 110, 150, 255})   // windows
	fill(1450, 850, 1650, 1050, color.RGBA{70, 110, 150, 255})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("demo photo: %w", err)
	}
	path := filepath.Join(dir, PhotoFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("demo photo: %w", err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
		f.Close()
		return "", fmt.Errorf("demo photo: %w", err)
	}
	return path, f.Close()
}
