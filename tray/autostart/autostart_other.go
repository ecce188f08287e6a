//go:build !windows && !darwin

package autostart

func enabled() (bool, error) {
	x, err := XDGFromEnv()
	if err != nil {
		return false, err
	}
	return x.Enabled()
}

func setEnabled(on bool) error {
	x, err := XDGFromEnv()
	if err != nil {
		return err
	}
	return x.SetEnabled(on)
}
