package metrics

import (
	"cmp"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

// families gathers series into the messages the exposition formats
// encode, ordered as Prometheus' own client orders them (families by name,
// series by label values), so that one state always reads the same.
type families struct {
	byName map[string]*dto.MetricFamily
}

func newFamilies() *families {
	return &families{byName: map[string]*dto.MetricFamily{}}
}

// add adds one series of d; Snapshot.Series gives each label set once.
func (f *families) add(d *Desc, v float64, values ...string) {
	mf, ok := f.byName[d.Name]
	if !ok {
		typ := dto.MetricType_GAUGE
		if d.Counter {
			typ = dto.MetricType_COUNTER
		}
		mf = &dto.MetricFamily{Name: &d.Name, Help: &d.Help, Type: typ.Enum()}
		f.byName[d.Name] = mf
	}
	m := &dto.Metric{}
	for i, name := range d.Labels {
		m.Label = append(m.Label, &dto.LabelPair{Name: &name, Value: &values[i]})
	}
	slices.SortFunc(m.Label, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	if d.Counter {
		m.Counter = &dto.Counter{Value: &v}
	} else {
		m.Gauge = &dto.Gauge{Value: &v}
	}
	mf.Metric = append(mf.Metric, m)
}

// sorted returns the families by name, each one's series by their label
// values.
func (f *families) sorted() []*dto.MetricFamily {
	out := make([]*dto.MetricFamily, 0, len(f.byName))
	for _, mf := range f.byName {
		slices.SortStableFunc(mf.Metric, func(a, b *dto.Metric) int {
			return slices.CompareFunc(a.Label, b.Label, func(x, y *dto.LabelPair) int {
				return cmp.Or(strings.Compare(x.GetName(), y.GetName()), strings.Compare(x.GetValue(), y.GetValue()))
			})
		})
		out = append(out, mf)
	}
	slices.SortFunc(out, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out
}

// addTo adds Clearance's own metrics of s to f (Snapshot.Series).
func (s Snapshot) addTo(f *families) {
	for _, x := range s.Series() {
		f.add(x.Desc, x.Value, x.LabelValues...)
	}
}
