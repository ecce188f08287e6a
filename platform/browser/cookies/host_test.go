package cookies

import (
	"strings"
	"testing"
)

func TestIsOpenAIHost(t *testing.T) {
	for host, want := range map[string]bool{
		"openai.com":             true,
		".openai.com":            true,
		"auth.openai.com":        true,
		".auth.openai.com":       true,
		"chatgpt.com":            true,
		".chatgpt.com":           true,
		"a.b.chatgpt.com":        true,
		"oaistatic.com":          true,
		"cdn.oaistatic.com":      true,
		"ChatGPT.COM":            true,
		"x-y_z.openai.com":       true,
		"chatgpt.com.evil.net":   false,
		".chatgpt.com.evil.net":  false,
		"notopenai.com":          false,
		".notopenai.com":         false,
		"openai.com.cn":          false,
		"xchatgpt.com":           false,
		"evil-chatgpt.com":       false,
		"chatgpt.co":             false,
		"openai.co":              false,
		"oaistatic.net":          false,
		"com":                    false,
		"":                       false,
		".":                      false,
		"..chatgpt.com":          false,
		"a..chatgpt.com":         false,
		"chatgpt.com.":           false,
		"chatgpt.com:443":        false,
		"chatgpt.com/":           false,
		" chatgpt.com":           false,
		"chatgpt.com\x00.evil":   false,
		"chatgpt\u0441om":        false, // a Cyrillic с
		"chatgpt.\u212aom":       false, // the Kelvin sign, which strings.ToLower folds to k
		"https://chatgpt.com":    false,
		"%2Echatgpt.com":         false,
		"chatgpt%2Ecom":          false,
		"openai_com":             false,
		"chatgpt.com.openai.com": true,
	} {
		if got := IsOpenAIHost(host); got != want {
			t.Errorf("IsOpenAIHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// FuzzIsOpenAIHost checks the rule's promises on any input: a host it
// accepts is, once its one leading dot is gone and letters are lowered,
// one of the domains or ends in "." and one of them, and holds only what a
// host name may; another label after it makes it someone else's; and a
// subdomain of a host it accepts is accepted too.
func FuzzIsOpenAIHost(f *testing.F) {
	for _, s := range []string{"chatgpt.com", ".openai.com", "cdn.oaistatic.com", "chatgpt.com.evil.net",
		"notopenai.com", "openai.com.cn", "xchatgpt.com", "..chatgpt.com", "ChatGPT.com", "chatgpt.\u212aom"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		got := IsOpenAIHost(host)
		if IsOpenAIHost(host + ".evil.net") {
			t.Errorf("%q with a label after it is taken for OpenAI's", host)
		}
		if !got {
			return
		}
		h := strings.ToLower(strings.TrimPrefix(host, "."))
		if strings.ContainsFunc(h, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		}) {
			t.Errorf("%q holds a character no host name does, and was taken for OpenAI's", host)
		}
		ok := false
		for _, d := range openAIDomains {
			ok = ok || h == d || strings.HasSuffix(h, "."+d)
		}
		if !ok {
			t.Errorf("%q was taken for OpenAI's without ending in one of %v", host, openAIDomains)
		}
		if !IsOpenAIHost("sub."+h) || !IsOpenAIHost("."+h) {
			t.Errorf("a subdomain of %q, or its domain form, is not taken for OpenAI's", host)
		}
	})
}
