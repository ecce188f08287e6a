package check

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCheckReportJSON reads arbitrary JSON as a check's line of the
// agent's state, as the tray and the CLI read what the agent serves: a
// line that is read is what was sent, so writing it again gives back its
// duration in milliseconds, and reading and writing once more changes
// nothing. A line that cannot be taken as sent is an error.
//
// Seeds: the line TestCheckReportJSONRoundTrip writes, the one the API's
// state test decodes, and lines with odd durations and data; in
// testdata/fuzz, a duration that wrapped around to -1 ms before
// UnmarshalJSON bounded it (found by reading the code for this target's
// promise: the fuzzer did not reach it in a minute).
func FuzzCheckReportJSON(f *testing.F) {
	f.Add([]byte(`{"name":"clock","status":"warn","summary":"the clock is 92 seconds ahead","duration_ms":41,"data":{"offset_seconds":92.4}}`))
	f.Add([]byte(`{"name":"clock","status":"warn","summary":"s","duration_ms":41,"data":{"k":1}}`))
	f.Add([]byte(`{"name":"dns","status":"pass","summary":"","duration_ms":0,"data":null}`))
	f.Add([]byte(`{"name":"x","duration_ms":-5,"data":{"a":[1,"b",{"c":null}]}}`))
	f.Add([]byte(`{"duration_ms":9223372036854}`)) // the most a time.Duration holds
	f.Add([]byte(`{"duration_ms":-9223372036855}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var sent checkReportJSON
		var c CheckReport
		if err := json.Unmarshal(line, &c); err != nil {
			return
		}
		if err := json.Unmarshal(line, &sent); err != nil {
			t.Fatalf("%s read as a check but not as its wire shape: %v", line, err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%s read as %+v, which cannot be written: %v", line, c, err)
		}
		var written checkReportJSON
		if err := json.Unmarshal(b, &written); err != nil {
			t.Fatal(err)
		}
		if written.DurationMS != sent.DurationMS {
			t.Fatalf("duration_ms %d read as %v, written back as %d", sent.DurationMS, c.Duration, written.DurationMS)
		}
		var again CheckReport
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("%s, written from %s, is not read back: %v", b, line, err)
		}
		if b2, err := json.Marshal(again); err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("read back changed:\n%s\n%s (%v)", b, b2, err)
		}
	})
}
