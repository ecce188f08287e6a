package ntpq

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/agent/diag/statefile"
)

// Store shares what a Client remembers about servers with other processes
// of the same user, so that politeness outlives one run of a one-shot
// command (`watch -n 5 clearance check`, a fleet's cron job). Load returns
// every record it has (an empty map when there is none yet); Save replaces
// them all. Two processes may race: the loser's record is lost, which
// costs at most one extra query. A Store need not be safe for concurrent
// use; the Client serializes its calls.
type Store interface {
	Load() (map[string]Record, error)
	Save(map[string]Record) error
}

// Record is what is remembered about one server's last query.
//
// Time across processes: a process's monotonic clock dies with it, so a
// record holds the wall time of the query and, where the OS has one, the
// time since boot (sleep included). Together they tell how long ago the
// query went out even when the wall clock has been stepped since, and
// whether it was: a step shows as the wall clock moving differently from
// the boot clock, and the remembered answer then describes a clock that no
// longer exists, so it is not used (ErrClockChanged); a reboot reads the
// same way. A kiss-of-death holds whatever the clock did. With the wall time
// alone (no boot clock, an injected Client.Now), a time in the future is
// "unknown": the server is held off a full MinInterval from the moment
// that is noticed, and the answer is not used. A step that leaves the age
// between 0 and 64 s goes unnoticed there.
type Record struct {
	// Asked is the wall-clock time the query went out.
	Asked time.Time `json:"asked"`
	// Uptime is the time since boot when it went out; 0 when unknown.
	Uptime time.Duration `json:"uptime_ns,omitempty"`
	// At most one of the following says how it went. None marks a query
	// whose time could not be told (see above): it holds the server off,
	// and there is no usable answer.
	Answer  *Answer      `json:"answer,omitempty"`
	Failure string       `json:"failure,omitempty"` // Reason of the error
	Kiss    *KissOfDeath `json:"kiss,omitempty"`
}

// Answer is the part of an NTP answer that validating it (FromResponse)
// and reading it need.
type Answer struct {
	ClockOffset    time.Duration `json:"clock_offset_ns"` // beevik's sign: true − local
	RTT            time.Duration `json:"rtt_ns"`
	Version        int           `json:"version"`
	Stratum        uint8         `json:"stratum"`
	Leap           uint8         `json:"leap"`
	Flags          uint32        `json:"flags,omitempty"`
	ReferenceID    uint32        `json:"reference_id"`
	ReferenceTime  time.Time     `json:"reference_time"`
	Time           time.Time     `json:"time"` // the server's transmit time
	Precision      time.Duration `json:"precision_ns"`
	RootDelay      time.Duration `json:"root_delay_ns"`
	RootDispersion time.Duration `json:"root_dispersion_ns"`
	RootDistance   time.Duration `json:"root_distance_ns"`
	MinError       time.Duration `json:"min_error_ns"`
	Poll           time.Duration `json:"poll_ns"`
}

// KissOfDeath is a remembered kiss-of-death: not asked again before Until.
type KissOfDeath struct {
	Code  string    `json:"code"`
	Until time.Time `json:"until"`
}

func answerOf(r *ntp.Response) *Answer {
	return &Answer{
		ClockOffset: r.ClockOffset, RTT: r.RTT, Version: r.Version, Stratum: r.Stratum,
		Leap: uint8(r.Leap), Flags: uint32(r.Flags), ReferenceID: r.ReferenceID,
		ReferenceTime: r.ReferenceTime, Time: r.Time, Precision: r.Precision,
		RootDelay: r.RootDelay, RootDispersion: r.RootDispersion, RootDistance: r.RootDistance,
		MinError: r.MinError, Poll: r.Poll,
	}
}

func (a *Answer) response() *ntp.Response {
	return &ntp.Response{
		ClockOffset: a.ClockOffset, RTT: a.RTT, Version: a.Version, Stratum: a.Stratum,
		Leap: ntp.LeapIndicator(a.Leap), Flags: ntp.ResponseFlags(a.Flags), ReferenceID: a.ReferenceID,
		ReferenceTime: a.ReferenceTime, Time: a.Time, Precision: a.Precision,
		RootDelay: a.RootDelay, RootDispersion: a.RootDispersion, RootDistance: a.RootDistance,
		MinError: a.MinError, Poll: a.Poll,
	}
}

// forgetAfter is when a record no longer matters: past the longest backoff
// (maxBackoff, 36 h). Older ones are dropped so the file stays small.
const forgetAfter = max(maxBackoff, refusedBackoff)

// maxRecords bounds the file against a configuration that lists servers by
// the hundred: the oldest records go first.
const maxRecords = 64

// age tells how long ago the record's query went out, as far as can be
// told, and whether the local clock has run undisturbed since (so that the
// answer still measures this clock). known is false when the wall time
// alone puts the query in the future.
func (r Record) age(now time.Time, up time.Duration, upOK bool) (age time.Duration, steady, known bool) {
	wall := now.Sub(r.Asked)
	if upOK && r.Uptime > 0 {
		boot := up - r.Uptime
		if boot < 0 {
			// Rebooted since: the query is at least as old as this boot,
			// and the clock was set again at boot.
			return up, false, true
		}
		// A reboot with more uptime now than then also lands here: then
		// the query is older than boot says, and the wall clock, which
		// ran on, tells a step.
		return boot, !clockStepped(wall, boot), true
	}
	if wall < 0 {
		return 0, false, false
	}
	return wall, true, true
}

// hold is how long after its query the record keeps the server from being
// asked: MinInterval, or a kiss-of-death's backoff. A garbled record cannot
// hold it off for longer than NTP's largest poll interval.
func (r Record) hold() time.Duration {
	if r.Kiss == nil {
		return MinInterval
	}
	return min(max(r.Kiss.Until.Sub(r.Asked), MinInterval), forgetAfter)
}

// remembered is the answer the record gives for server while it holds,
// age after its query.
func (r Record) remembered(server string, now time.Time, age time.Duration, steady bool) (*ntp.Response, error) {
	switch {
	case r.Kiss != nil:
		// The kiss holds whatever the clock did; Until is told in today's clock.
		return nil, &KissError{Server: server, Code: r.Kiss.Code, Until: now.Add(r.hold() - age)}
	case !steady:
		return nil, ErrClockChanged
	case r.Failure != "":
		return nil, &recalledError{server: server, reason: r.Failure}
	case r.Answer != nil:
		return r.Answer.response(), nil
	}
	return nil, ErrClockChanged
}

// prune drops records that no longer hold anything, and records whose
// time cannot be told and is so far in the future that the clock that
// wrote them was wildly wrong; then the oldest beyond maxRecords.
func prune(recs map[string]Record, now time.Time, up time.Duration, upOK bool) {
	for addr, r := range recs {
		a, _, known := r.age(now, up, upOK)
		if (known && a > forgetAfter) || (!known && r.Asked.Sub(now) > forgetAfter) {
			delete(recs, addr)
		}
	}
	if len(recs) <= maxRecords {
		return
	}
	addrs := make([]string, 0, len(recs))
	for addr := range recs {
		addrs = append(addrs, addr)
	}
	slices.SortFunc(addrs, func(a, b string) int { return recs[b].Asked.Compare(recs[a].Asked) })
	for _, addr := range addrs[maxRecords:] {
		delete(recs, addr)
	}
}

// FileStore keeps the records in one JSON file, readable and writable by
// its owner only. A file that is missing, unreadable, corrupt or from
// another program is treated as empty by the Client and replaced on the
// next save; writes go to a temporary file renamed into place, so a reader
// never sees half a file.
type FileStore struct {
	Path string
}

// storeFile is the file's layout; version changes when its meaning does.
type storeFile struct {
	Version int               `json:"version"`
	Servers map[string]Record `json:"servers"`
}

const storeVersion = 1

// maxStoreSize bounds what Load reads: 64 records are a few tens of KiB.
const maxStoreSize = 1 << 20

// Load reads the records. A missing file is no records.
func (f FileStore) Load() (map[string]Record, error) {
	var sf storeFile
	found, err := statefile.Load(f.Path, maxStoreSize, &sf)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, statefile.ErrTooLarge), errors.As(err, &syntax), errors.As(err, &typ):
		return nil, fmt.Errorf("ntp store: %w: %w", errForeignStore, err)
	case err != nil:
		return nil, fmt.Errorf("ntp store: %w", err)
	case !found:
		return map[string]Record{}, nil
	case sf.Version != storeVersion:
		return nil, fmt.Errorf("ntp store %s: %w: version %d", f.Path, errForeignStore, sf.Version)
	}
	if sf.Servers == nil {
		sf.Servers = map[string]Record{}
	}
	return sf.Servers, nil
}

// Save replaces the records, creating the directory (owner only) if needed.
// It does not fsync: a file torn by a power cut reads as corrupt, which
// costs one extra query per server, not the check.
func (f FileStore) Save(recs map[string]Record) error {
	if err := statefile.Save(f.Path, storeFile{Version: storeVersion, Servers: recs}); err != nil {
		return fmt.Errorf("ntp store: %w", err)
	}
	return nil
}

// DefaultStorePath is where a user's processes share their memory of time
// servers: clearance/ntp.json in the user's cache directory. It is "" when
// the user has none (no HOME). The agent, running as root or SYSTEM, keeps
// its own file elsewhere.
func DefaultStorePath() string { return statefile.UserPath("ntp.json") }

// UserStore is a FileStore at DefaultStorePath, or nil (no store) when the
// user has no cache directory.
func UserStore() Store {
	p := DefaultStorePath()
	if p == "" {
		return nil
	}
	return FileStore{Path: p}
}
