package winegap

import "testing"

var all = []*Gap{UDP, RemoveAll, W32Time, Session0, Symlinks, FileSecurity}

// Outside Wine no gap is missing, so no test skips by one; under Wine each
// gap's probe says whether it is really there (logged for the smoke test).
func TestGapsOnlyUnderWine(t *testing.T) {
	for _, g := range all {
		if !Under() && g.Missing() {
			t.Errorf("%s is missing outside Wine", g.name)
		}
		t.Logf("under Wine: %v; %s missing: %v", Under(), g.name, g.Missing())
	}
}

// TempDir is t.TempDir wherever os.RemoveAll works: a new, empty folder
// each time.
func TestTempDir(t *testing.T) {
	a, b := TempDir(t), TempDir(t)
	if a == b {
		t.Fatalf("the same folder twice: %s", a)
	}
}
