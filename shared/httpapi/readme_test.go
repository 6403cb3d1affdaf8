package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// curlCommand is one curl invocation found in the README.
type curlCommand struct {
	line    int
	method  string
	url     string
	headers [][2]string
	body    string
}

// shellWords splits a shell command line into words: single quotes literal, double
// quotes with $VAR expanded from vars, adjacent parts concatenated — enough for the
// README's curl lines.
func shellWords(s string, vars map[string]string) []string {
	var words []string
	var cur strings.Builder
	in := false
	expand := func(t string) string {
		return regexp.MustCompile(`\$\{?([A-Z_]+)\}?`).ReplaceAllStringFunc(t, func(m string) string {
			name := strings.Trim(m, "${}")
			if v, ok := vars[name]; ok {
				return v
			}
			return m
		})
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			cur.WriteString(expand(strings.ReplaceAll(s[i+1:j], `\"`, `"`)))
			i = j
			in = true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '|' || c == ')':
			if in {
				words = append(words, cur.String())
			}
			return words
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n'\"|)", rune(s[j])) {
				j++
			}
			cur.WriteString(expand(s[i:j]))
			i = j - 1
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// readmeCurls returns the curl commands of the README's sh blocks, with continuation
// lines joined and the variables the README sets replaced by sample values.
func readmeCurls(t *testing.T) []curlCommand {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"API": "http://127.0.0.1:3000", "ADMIN": "fh_admin_x", "INGEST": "fh_ingest_x",
		"CONNECTOR": "c_x", "WEBHOOK": "w_x", "WORKFLOW": "f_x", "RUN": "r_x"}
	var out []curlCommand
	lines := strings.Split(string(b), "\n")
	inBlock := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "```") {
			inBlock = strings.HasPrefix(l, "```sh")
			continue
		}
		if !inBlock || !strings.Contains(l, "curl ") {
			continue
		}
		start := i
		cmd := l
		for strings.HasSuffix(strings.TrimRight(cmd, " "), "\\") || strings.Count(cmd, "'")%2 == 1 {
			cmd = strings.TrimSuffix(strings.TrimRight(cmd, " "), "\\") + "\n"
			i++
			cmd += lines[i]
		}
		cmd = cmd[strings.Index(cmd, "curl "):]
		words := shellWords(cmd, vars)
		c := curlCommand{line: start + 1, method: "GET"}
		for j := 1; j < len(words); j++ {
			switch w := words[j]; w {
			case "-X":
				c.method = words[j+1]
				j++
			case "-H":
				name, value, _ := strings.Cut(words[j+1], ":")
				c.headers = append(c.headers, [2]string{name, strings.TrimSpace(value)})
				j++
			case "-d":
				c.body = words[j+1]
				if c.method == "GET" {
					c.method = "POST"
				}
				j++
			case "-o", "-w":
				j++
			default:
				if strings.HasPrefix(w, "http") {
					c.url = w
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// TestREADMEExamplesMatchOpenAPI: every curl example of the README is a request the
// OpenAPI document accepts — route, parameters, headers and body schema.
func TestREADMEExamplesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	doc.Servers = nil // match any host
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	curls := readmeCurls(t)
	if len(curls) < 8 {
		t.Fatalf("found only %d curl examples in the README", len(curls))
	}
	for _, c := range curls {
		req, err := http.NewRequest(c.method, c.url, bytes.NewReader([]byte(c.body)))
		if err != nil {
			t.Fatalf("README line %d: %v", c.line, err)
		}
		for _, h := range c.headers {
			req.Header.Set(h[0], h[1])
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("README line %d: %s %s is not a documented route: %v", c.line, c.method, c.url, err)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("README line %d: %s %s does not validate: %v\nbody: %s", c.line, c.method, c.url, err, c.body)
		}
	}
}
