package browser

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// env is what discovery reads besides the files: where to look, and
// which browser the desktop opens web pages with. Tests fill it.
type env struct {
	places     []place
	defaultApp func(context.Context) (DefaultApp, error)
}

func system(home string) env {
	return env{
		places:     places(home, os.Getenv),
		defaultApp: func(ctx context.Context) (DefaultApp, error) { return FindDefault(ctx, Lookup{}) },
	}
}

func discover(ctx context.Context, e env) ([]Browser, []error) {
	var (
		out  []Browser
		errs []error
		seen = map[string]bool{}
	)
	for _, p := range e.places {
		if err := ctx.Err(); err != nil {
			return out, append(errs, err)
		}
		fi, err := os.Stat(p.DataDir)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			continue
		case err != nil:
			errs = append(errs, &Error{Browser: p.Name, Path: p.DataDir, Err: describe(err)})
			continue
		case !fi.IsDir():
			continue
		}
		// The same folder reached twice (a Snap's current and common, a
		// link from ~/.mozilla to ~/.config/mozilla) is one browser.
		key := p.DataDir
		if real, err := filepath.EvalSymlinks(p.DataDir); err == nil {
			key = real
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		b := Browser{Name: p.Name, Family: p.Family, Install: p.Install, DataDir: p.DataDir, Channel: p.Channel}
		var found bool
		var berrs []error
		switch p.Family {
		case Chromium:
			found, berrs = readChromium(&b, p)
		case Firefox:
			found, berrs = readFirefox(&b)
		}
		errs = append(errs, berrs...)
		if found {
			out = append(out, b)
		}
	}
	if e.defaultApp != nil && len(out) > 0 {
		// Asked only when there is a browser to mark: on Linux the answer
		// costs xdg-settings, a shell script of some thirty processes. A
		// desktop without a default browser is no error of any browser's.
		if d, err := e.defaultApp(ctx); err == nil {
			markDefault(out, d)
		}
	}
	return out, errs
}

// markDefault marks the browser the desktop opens web pages with: the
// one of that name, of that install kind when the desktop tells, stable
// channel first.
func markDefault(bs []Browser, d DefaultApp) {
	if !d.Known {
		return
	}
	best, score := -1, -1
	for i, b := range bs {
		if b.Name != d.Name {
			continue
		}
		s := 0
		if d.Install != "" && b.Install == d.Install {
			s += 2
		}
		if b.Channel == "stable" || b.Channel == "" {
			s++
		}
		if s > score {
			best, score = i, s
		}
	}
	if best >= 0 {
		bs[best].Default = true
	}
}

// checkProfileDir says why dir cannot be used as a profile of the browser
// whose data is in root: missing, a symlink loop, not a folder, a path
// that leads back to root or above it (unless it is root itself, as an
// Opera profile is), or a folder that cannot be read.
func checkProfileDir(dir, root string, rootItself bool) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return describe(err)
	}
	if !fi.IsDir() {
		return ErrNotDir
	}
	if !rootItself {
		real, err1 := filepath.EvalSymlinks(dir)
		realRoot, err2 := filepath.EvalSymlinks(root)
		if err1 == nil && err2 == nil && (real == realRoot || isUnder(realRoot, real)) {
			return ErrLoopBack
		}
	}
	f, err := os.Open(dir)
	if err != nil {
		return describe(err)
	}
	return f.Close()
}

// isUnder reports whether p is inside dir.
func isUnder(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// describe turns the errors a profile most often meets into what they
// mean; others are kept as they are.
func describe(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrMissing
	case errors.Is(err, syscall.ELOOP):
		return errors.New("a symbolic link that leads back to itself (a symlink loop)")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied: it belongs to another user, or its permissions keep you out")
	}
	return err
}
