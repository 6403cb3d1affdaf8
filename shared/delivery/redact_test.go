package delivery

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/url"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/webhook"
)

func TestRedactString(t *testing.T) {
	const tok = "s3cr3t/T0k+n=<&>\"é"
	tests := []struct {
		name    string
		secrets []string
		header  []webhook.Header
		in      string
		want    string
	}{
		{"raw", []string{tok}, nil, "a " + tok + " b " + tok, "a ******** b ********"},
		{"query escaped", []string{tok}, nil, "?k=" + url.QueryEscape(tok), "?k=********"},
		{"path escaped", []string{tok}, nil, "/p/" + url.PathEscape(tok) + "/x", "/p/********/x"},
		{"lower-case percent escapes", []string{tok}, nil, "s3cr3t%2fT0k%2bn%3d%3c%26%3e%22%c3%a9", "********"},
		{"json go", []string{tok}, nil, `{"k":` + mustJSON(tok) + `}`, `{"k":"********"}`},
		{"json no html escaping", []string{tok}, nil, `"s3cr3t/T0k+n=<&>\"é"`, `"********"`},
		{"json escaped slash", []string{tok}, nil, `"s3cr3t\/T0k+n=<&>\"é"`, `"********"`},
		{"json ascii", []string{tok}, nil, `"s3cr3t/T0k+n=<&>\"\u00e9"`, `"********"`},
		{"html escaped", []string{tok}, nil, "<i>s3cr3t/T0k+n=&lt;&amp;&gt;&#34;é</i>", "<i>********</i>"},
		{"html escaped quot", []string{tok}, nil, "s3cr3t/T0k+n=&lt;&amp;&gt;&#34;é", "********"},
		{"base64", []string{tok}, nil, "x " + base64.StdEncoding.EncodeToString([]byte(tok)), "x ********"},
		{"base64 url raw", []string{tok}, nil, base64.RawURLEncoding.EncodeToString([]byte(tok)), "********"},
		{"basic credential", []string{"hunter22"},
			[]webhook.Header{{Name: "Authorization", Value: "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:hunter22"))}},
			`{"headers":{"Authorization":"Basic YW5uOmh1bnRlcjIy"}}`, `{"headers":{"Authorization":"Basic ********"}}`},
		{"basic credential of a short password", []string{"pw"},
			[]webhook.Header{{Name: "authorization", Value: "basic " + base64.StdEncoding.EncodeToString([]byte("ann:pw"))}},
			"echo YW5uOnB3", "echo ********"},
		{"basic credential without a secret stays", []string{"other-secret"},
			[]webhook.Header{{Name: "Authorization", Value: "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:pw"))}},
			"echo YW5uOnB3", "echo YW5uOnB3"},
		{"overlapping secrets leave no fragment", []string{"abcdef", "defghi"}, nil, "xabcdefghix", "x********x"},
		{"overlapping occurrences of one secret", []string{"aaaa"}, nil, "baaaaaab", "b********b"},
		{"adjacent occurrences merge", []string{"abcd"}, nil, "abcdabcd", "********"},
		{"short secret not masked in text", []string{"pw1"}, nil, "pw1 and pw1", "pw1 and pw1"},
		{"no secrets", nil, nil, "anything", "anything"},
		{"empty secret ignored", []string{""}, nil, "anything", "anything"},
		{"multi-byte secret", []string{"пароль"}, nil, "мій пароль тут", "мій ******** тут"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRedactor(tt.secrets, tt.header)
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func mustJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestRedactPlaces(t *testing.T) {
	r := newRedactor([]string{"longsecret", "pw"}, nil)
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"bearer keeps scheme", func(v string) string { return r.requestHeader("Authorization", v) }, "Bearer abc.def", "Bearer ********"},
		{"basic keeps scheme", func(v string) string { return r.requestHeader("authorization", v) }, "Basic YW5uOnB3", "Basic ********"},
		{"credential without scheme", func(v string) string { return r.requestHeader("Authorization", v) }, "abcdef", "********"},
		{"proxy authorization", func(v string) string { return r.requestHeader("Proxy-Authorization", v) }, "Digest x=y", "Digest ********"},
		{"empty authorization", func(v string) string { return r.requestHeader("Authorization", v) }, "", ""},
		{"api key header", func(v string) string { return r.requestHeader("X-API-Key", v) }, "longsecret", "********"},
		{"short secret header exact", func(v string) string { return r.requestHeader("X-API-Key", v) }, "pw", "********"},
		{"short secret header after scheme", func(v string) string { return r.requestHeader("X-Auth", v) }, "Token pw", "Token ********"},
		{"short secret header inside", func(v string) string { return r.requestHeader("X-Other", v) }, "pwned", "pwned"},
		{"response header", r.headerValue, "key=longsecret; path=/", "key=********; path=/"},
		{"url query", r.URL, "https://h.example/a?key=longsecret&b=1", "https://h.example/a?key=********&b=1"},
		{"url short query value", r.URL, "https://h.example/pw?key=pw&b=pw2#pw", "https://h.example/pw?key=********&b=pw2#pw"},
		{"url short query escaped", r.URL, "https://h.example/?a=p%77", "https://h.example/?a=********"},
		{"url path", r.URL, "https://h.example/longsecret/x", "https://h.example/********/x"},
		{"url userinfo", r.URL, "https://ann:longsecret@h.example/", "https://ann:********@h.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRedactCapped(t *testing.T) {
	const secret = "0123456789secret"
	r := newRedactor([]string{secret}, nil)
	tests := []struct {
		name      string
		in        string
		limit     int
		want      string
		truncated bool
	}{
		{"short", "ab " + secret, 100, "ab ********", false},
		{"secret straddles the cut", strings.Repeat("x", 10) + secret + "tail", 15, "xxxxxxxxxx*****", true},
		{"secret just past the cut", strings.Repeat("x", 10) + secret, 10, "xxxxxxxxxx", true},
		{"cut on a rune boundary", "ab" + "яя", 3, "ab", true},
		{"exactly the limit", "abcd", 4, "abcd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := r.capped(tt.in, tt.limit)
			if got != tt.want || cut != tt.truncated {
				t.Errorf("got %q, %v; want %q, %v", got, cut, tt.want, tt.truncated)
			}
			if strings.Contains(got, "secret") {
				t.Errorf("got %q, which shows part of the secret", got)
			}
		})
	}
}

func TestRedactData(t *testing.T) {
	r := newRedactor([]string{"tok-12345", "987654321"}, nil)
	inner := velocity.NewMap(2)
	inner.Put("echo", "Bearer tok-12345")
	inner.Put("n", int32(1))
	m := velocity.NewMap(4)
	m.Put("a", inner)
	m.Put("tok-12345", "key named after the secret")
	m.Put("list", []any{"tok-12345", int64(987654321), big.NewInt(1), 1.5, true, nil})
	m.Put("z", int32(987654321))
	got := show(r.Data(m))
	want := `{"a": {"echo": "Bearer ********", "n": int32(1)}, "********": "key named after the secret", "list": ["********", "********", big(1), float64(1.5), true, nil], "z": "********"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// FuzzRedact checks the redaction invariant: no secret of MinSecretLen or more (without
// the mask's '*') survives in the output, in any of the forms it is matched in.
func FuzzRedact(f *testing.F) {
	f.Add("abcd", "efgh", "xxabcdefghxx")
	f.Add("aaaa", "aaab", "aaaaaaab")
	f.Add("s/e c", "ret=", "s%2Fe+c ret%3D")
	f.Fuzz(func(t *testing.T, s1, s2, text string) {
		secrets := []string{s1, s2}
		r := newRedactor(secrets, nil)
		out := r.String(text)
		for _, s := range secrets {
			if len(s) < MinSecretLen || strings.Contains(s, "*") {
				continue
			}
			for _, form := range secretForms(s) {
				if strings.Contains(form, "*") {
					continue
				}
				if strings.Contains(out, form) {
					t.Fatalf("String(%q) = %q still holds %q (a form of %q)", text, out, form, s)
				}
			}
		}
		if !r.active() && out != text {
			t.Fatalf("String(%q) = %q with nothing to redact", text, out)
		}
	})
}

// FuzzRedactorIndex checks the rare-byte search against strings.Index: the same
// first match at or after every position.
func FuzzRedactorIndex(f *testing.F) {
	f.Add("tok_5f4e3d2c1b0a99887766", `{"t":"tok_5f4e3d2c1b0a99887766","u":"tok_x"}`)
	f.Add("aaaa", "aaaaaaab")
	f.Add("abXab", "abXabXab abXa")
	f.Fuzz(func(t *testing.T, secret, text string) {
		r := newRedactor([]string{secret}, nil)
		for k, p := range r.patterns {
			for from := 0; from <= len(text); from++ {
				want := strings.Index(text[from:], p)
				if want >= 0 {
					want += from
				}
				if got := r.index(text, k, from); got != want {
					t.Fatalf("index(%q, %q, %d) = %d, want %d", text, p, from, got, want)
				}
			}
		}
	})
}
