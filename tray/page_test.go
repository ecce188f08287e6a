package tray

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// detailsCSP is the policy every details page must carry: nothing may load
// or run, only the page's own inline style applies.
const detailsCSP = "default-src 'none'; style-src 'unsafe-inline'"

// page is what a browser makes of a details page.
type page struct {
	title    string            // the h1
	text     string            // all the text a person reads, space-joined
	evidence map[string]string // the table's rows: the th of each row → its td
	items    []string          // the list items (the fixes)
	csp      []string          // the content of each CSP meta element
}

// parsePage reads a details page as a browser would, and fails the test
// on anything in it that could run, load or send something: scripts,
// frames, forms, links, images, event handlers.
func parsePage(t testing.TB, b []byte) page {
	t.Helper()
	if bytes.Contains(bytes.ToLower(b), []byte("<script")) {
		t.Errorf("the page holds a script tag:\n%s", b)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not HTML: %v", err)
	}
	p := page{evidence: map[string]string{}}
	var texts []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			if s := strings.TrimSpace(n.Data); s != "" && (n.Parent == nil || n.Parent.Data != "style") {
				texts = append(texts, s)
			}
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "frame", "object", "embed", "form", "a", "img", "link", "base", "audio", "video", "source", "svg", "math":
				t.Errorf("the page has a <%s> element", n.Data)
			case "meta":
				if strings.EqualFold(attr(n, "http-equiv"), "Content-Security-Policy") {
					p.csp = append(p.csp, attr(n, "content"))
				}
			case "h1":
				p.title = textOf(n)
			case "li":
				p.items = append(p.items, textOf(n))
			case "tr":
				var th, td *html.Node
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					switch {
					case c.Data == "th" && th == nil:
						th = c
					case c.Data == "td" && td == nil:
						td = c
					}
				}
				if th != nil && td != nil {
					p.evidence[textOf(th)] = textOf(td)
				}
			}
			for _, a := range n.Attr {
				if k := strings.ToLower(a.Key); strings.HasPrefix(k, "on") || k == "src" || k == "href" || k == "action" || k == "srcset" || k == "formaction" {
					t.Errorf("<%s> has a %s attribute", n.Data, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	p.text = strings.Join(texts, " ")
	return p
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// checkPage checks a details page for one finding: the strict policy, the
// title, the detail, the evidence as the table (every row, nothing else),
// the fixes by title.
func checkPage(t testing.TB, b []byte, title, detail string, evidence map[string]string, fixes []string) page {
	t.Helper()
	p := parsePage(t, b)
	if len(p.csp) != 1 || p.csp[0] != detailsCSP {
		t.Errorf("Content-Security-Policy %q, want one, %q", p.csp, detailsCSP)
	}
	if p.title != title {
		t.Errorf("title %q, want %q", p.title, title)
	}
	if !strings.Contains(p.text, strings.Join(strings.Fields(detail), " ")) {
		t.Errorf("the page lacks the detail %q:\n%s", detail, p.text)
	}
	if !maps.Equal(p.evidence, evidence) {
		t.Errorf("evidence table %q, want %q", p.evidence, evidence)
	}
	for _, f := range fixes {
		found := false
		for _, it := range p.items {
			found = found || it == f
		}
		if !found {
			t.Errorf("the page does not name the fix %q (items %q)", f, p.items)
		}
	}
	return p
}
