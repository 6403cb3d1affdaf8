package render

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/tools"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Renderer renders message templates (and condition expressions) with a run's
// variables. Parsed templates are cached by source, so a warm function parses each
// message once. It is safe for concurrent use.
type Renderer struct {
	tools  func(in Input) map[string]any
	limits velocity.Limits

	mu    sync.Mutex
	cache map[[32]byte]*velocity.Template
}

// maxCached bounds the parsed templates a Renderer keeps; past it the cache starts over.
const maxCached = 1024

// NewRenderer returns a Renderer. tools, when not nil, supplies the tool objects of a
// render (they may depend on the contact, e.g. its time zone); limits bound every render
// (zero fields take the engine's defaults).
func NewRenderer(tools func(in Input) map[string]any, limits velocity.Limits) *Renderer {
	return &Renderer{tools: tools, limits: limits, cache: map[[32]byte]*velocity.Template{}}
}

// Parse returns the parsed template for src, from the cache when it was parsed before.
func (r *Renderer) Parse(name, src string) (*velocity.Template, error) {
	key := sha256.Sum256([]byte(name + "\x00" + src))
	r.mu.Lock()
	t, ok := r.cache[key]
	r.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := velocity.Parse(name, src, velocity.WithLimits(r.limits))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.cache) >= maxCached {
		r.cache = map[[32]byte]*velocity.Template{}
	}
	r.cache[key] = t
	r.mu.Unlock()
	return t, nil
}

// Render renders src (called name in error messages) with the variables of in.
// Unset non-silent references print their own text, as in Reteno's messages.
func (r *Renderer) Render(ctx context.Context, name, src string, in Input) (string, error) {
	t, err := r.Parse(name, src)
	if err != nil {
		return "", err
	}
	if in.Tools == nil && r.tools != nil {
		in.Tools = r.tools(in)
	}
	c, err := NewContext(in)
	if err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(ctx, &b, c.Data, velocity.WithResolver(c), velocity.WithLimits(r.limits)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Tools returns a tools function for NewRenderer: the standard tools ($mathTool,
// $numberTool, $dateTool, $esc, …) in the organisation's time zone org (nil = UTC), with
// the contact's TIMEZONE field as the contact's zone, and the clock now (nil = system).
func Tools(org *time.Location, now func() time.Time) func(in Input) map[string]any {
	return func(in Input) map[string]any {
		return tools.Standard(tools.Config{TimeZone: org, ContactTimeZone: ContactTimeZone(in.Contact), Now: now})
	}
}

// ContactTimeZone returns the contact's TIMEZONE field (any case), or "".
func ContactTimeZone(c *webhook.Contact) string {
	if c == nil {
		return ""
	}
	for k, v := range c.Fields {
		if strings.EqualFold(k, webhook.FieldTimeZone) || strings.EqualFold(k, "timeZone") {
			var s string
			if json.Unmarshal(v, &s) == nil {
				return s
			}
		}
	}
	return ""
}
