// Command gen writes Clearance's tray icons (assets/png, assets/ico) and the
// macOS app's icon (assets/icns) from their source in assets/internal/icon.
// Run it with `go generate ./assets`; -sheet also writes a contact sheet
// of every state and size on light and dark panels, for a person to look
// at.
package main

import (
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/clearance-app/clearance/assets/internal/icon"
)

func main() {
	out := flag.String("out", ".", "the assets directory to write png/, ico/ and icns/ into")
	sheet := flag.String("sheet", "", "also write a contact sheet PNG to this path")
	zoom := flag.Int("zoom", 3, "enlargement of the contact sheet's magnified copies")
	sizes := flag.String("sizes", "", "the contact sheet's sizes, comma-separated (default: all)")
	flag.Parse()
	sheetSizes := icon.Sizes
	if *sizes != "" {
		sheetSizes = nil
		for _, f := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 256 {
				fmt.Fprintf(os.Stderr, "gen: bad size %q\n", f)
				os.Exit(2)
			}
			sheetSizes = append(sheetSizes, n)
		}
	}
	if err := run(*out, *sheet, sheetSizes, *zoom); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, sheet string, sizes []int, zoom int) error {
	files, err := icon.Files()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	if sheet == "" {
		return nil
	}
	img, err := icon.Sheet(sizes, zoom)
	if err != nil {
		return err
	}
	f, err := os.Create(sheet)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
