package browser

import (
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The browsers' JSON files change shape between versions (an integer
// becomes a list, a key moves), so they are decoded into plain values and
// read with the accessors below, which take whatever shape comes and
// never panic: a value of an unexpected type reads as absent.

// parseObject decodes data as one JSON object.
func parseObject(data []byte) (map[string]any, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// dig follows keys through nested objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// integer reads a JSON number, or a string of digits (Chromium writes
// 64-bit values as strings), that is a whole number.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, false
		}
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func boolean(v any) (value, ok bool) {
	b, ok := v.(bool)
	return b, ok
}

// strings lists the strings of a JSON array; an object in it stands for
// its keys (a manifest's {"fileSystem": ["write"]} is the permission
// fileSystem).
func stringList(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			out = append(out, keys...)
		}
	}
	return out
}

// union appends to a the strings of b not in it yet, keeping order.
func union(a []string, b ...string) []string {
	for _, s := range b {
		if s == "" {
			continue
		}
		found := false
		for _, x := range a {
			if x == s {
				found = true
				break
			}
		}
		if !found {
			a = append(a, s)
		}
	}
	return a
}
