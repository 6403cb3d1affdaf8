package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Response is a webhook response saved as a data source: the webhook's name and the
// decoded body as JSON text.
type Response struct {
	Name string
	Data json.RawMessage
}

// Input is everything a render may see.
type Input struct {
	// Contact is the run's contact; nil when there is none.
	Contact *webhook.Contact
	// Params are the triggering event's params; nil without an event.
	Params []webhook.Param
	// Responses are the webhook responses so far, in the order they arrived.
	Responses []Response
	// RunID is $workflowInstanceId (empty outside a run).
	RunID string
	// Tools are the tool objects by name ($mathTool, $dateTool, …).
	Tools map[string]any
}

// Context is a render's variables (design §5), built once per render input:
//
//  1. $data: every webhook response (by name), every event param and every contact field;
//     on a clash responses win over params, params over contact fields.
//  2. Event params as top-level variables, case-sensitive ($email, $orderId).
//  3. Webhook responses as top-level variables when the name is an identifier ($WH5).
//  4. Contact fields as top-level variables, case-insensitive ($firstName = $FIRSTNAME;
//     a list key such as PERSONAL is a map of its fields), and $contact, $contactId,
//     $workflowInstanceId.
//  5. Tools.
//
// Earlier entries win: a param named like a tool hides the tool, and so does a
// contact field. Contact fields and tools are not in Data: the engine asks Resolve
// for names Data lacks. Neither are $data and $contact, which Resolve builds on first
// use (most webhook templates read neither), unless a param or response of that name
// requires them in Data. A Context is safe for concurrent use.
type Context struct {
	// Data is the top-level variables, for velocity's Execute.
	Data map[string]any
	// fields are the contact fields, their aliases and list keys in the order added;
	// Resolve compares names without regard to case, and a later one of the same name
	// wins.
	fields []namedValue
	// tools are Input.Tools, after the contact fields.
	tools map[string]any
	// opt is velocity.WithResolver(c), made on first use (templates simple enough
	// for Build to render without the engine need none) and kept: a build may
	// execute several templates.
	opt     velocity.Option
	optOnce sync.Once

	// What $data and $contact are made of, in their order.
	contact   *webhook.Contact
	own       []namedValue // the contact's fields under their merge-tag names
	params    []namedValue
	responses []namedValue

	dataOnce, contactOnce sync.Once
	dataMap, contactMap   *velocity.Map
}

type namedValue struct {
	name string
	v    any
}

// Resolve looks a top-level name up as the engine's fallback for names not in Data:
// $data and $contact, then the contact fields without regard to case, then the tools.
func (c *Context) Resolve(name string) (any, bool) {
	switch name {
	case "data":
		return c.data(), true
	case "contact":
		if c.contact != nil {
			return c.contactValue(), true
		}
	}
	// A contact has a few dozen fields at most: a scan with EqualFold beats lowering
	// the name (an allocation per lookup) to probe a map.
	for i := len(c.fields) - 1; i >= 0; i-- {
		if strings.EqualFold(c.fields[i].name, name) {
			return c.fields[i].v, true
		}
	}
	v, ok := c.tools[name]
	return v, ok
}

// data returns $data: the contact's fields, then the params, then the responses, a
// later one replacing the value (not the place) of an earlier one of the same name.
func (c *Context) data() *velocity.Map {
	c.dataOnce.Do(func() {
		m := velocity.NewMap(len(c.own) + len(c.params) + len(c.responses))
		for _, l := range [][]namedValue{c.own, c.params, c.responses} {
			for _, nv := range l {
				m.Put(nv.name, nv.v)
			}
		}
		c.dataMap = m
	})
	return c.dataMap
}

// contactValue returns $contact: id, email, phone and externalCustomerId under those
// names and their merge tags, then the fields.
func (c *Context) contactValue() *velocity.Map {
	c.contactOnce.Do(func() {
		ct := c.contact
		m := velocity.NewMap(len(c.own) + 4)
		m.Put("id", ct.ID)
		i := 0
		for _, alias := range []struct{ name, set string }{{"email", ct.Email}, {"phone", ct.Phone}, {"externalCustomerId", ct.ExternalCustomerID}} {
			if alias.set != "" {
				m.Put(alias.name, c.own[i].v)
				m.Put(c.own[i].name, c.own[i].v)
				i++
			}
		}
		for _, nv := range c.own[i:] {
			m.Put(nv.name, nv.v)
		}
		c.contactMap = m
	})
	return c.contactMap
}

// resolver returns the option that makes the engine resolve names through c.
func (c *Context) resolver() velocity.Option {
	c.optOnce.Do(func() { c.opt = velocity.WithResolver(c) })
	return c.opt
}

// NewContext builds the variables of one render.
func NewContext(in Input) (*Context, error) {
	c := &Context{Data: make(map[string]any, len(in.Params)+len(in.Responses)+3), tools: in.Tools}
	if in.Contact != nil {
		if err := c.addContact(in.Contact); err != nil {
			return nil, err
		}
	}
	c.Data["workflowInstanceId"] = in.RunID
	c.params = make([]namedValue, len(in.Params))
	for i, p := range in.Params {
		v, err := decode(p.Value)
		if err != nil {
			return nil, fmt.Errorf("event param %q: %w", p.Name, err)
		}
		c.params[i] = namedValue{p.Name, v}
	}
	c.responses = make([]namedValue, len(in.Responses))
	for i, r := range in.Responses {
		v, err := decode(r.Data)
		if err != nil {
			return nil, fmt.Errorf("response of webhook %q: %w", r.Name, err)
		}
		c.responses[i] = namedValue{r.Name, v}
		if isIdentifier(r.Name) {
			c.Data[r.Name] = v
		}
	}
	for _, p := range c.params {
		c.Data[p.name] = p.v // params win over responses at the top level
	}
	if _, shadowed := c.Data["data"]; shadowed {
		c.Data["data"] = c.data() // $data wins over a param or response named data
	}
	return c, nil
}

// addContact adds the contact's fields to the case-insensitive lookup, $contactId to
// the variables, and keeps what $data and $contact are made of.
func (c *Context) addContact(ct *webhook.Contact) error {
	c.contact = ct
	c.Data["contactId"] = ct.ID
	// own and fields share one allocation: own holds at most the fields and three
	// merge tags, fields those, the phone alias and a list key per field.
	n := len(ct.Fields) + 3
	both := make([]namedValue, 0, 2*n+len(ct.Fields)+1)
	c.own, c.fields = both[:0:n], both[n:n]
	own := func(name string, v any) {
		c.own = append(c.own, namedValue{name, v})
		c.setField(name, v)
	}
	// Each value is boxed into an interface once and shared by everything that holds it.
	if ct.Email != "" {
		own("EMAIL", ct.Email)
	}
	if ct.Phone != "" {
		v := any(ct.Phone)
		own("SMS", v)
		c.setField("phone", v)
	}
	if ct.ExternalCustomerID != "" {
		own("EXTERNAL_CUSTOMER_ID", ct.ExternalCustomerID)
	}
	var groups map[string]*velocity.Map // list key (lower-cased) → its fields
	for _, k := range sortedKeys(ct.Fields) {
		v, err := decode(ct.Fields[k])
		if err != nil {
			return fmt.Errorf("contact field %q: %w", k, err)
		}
		own(k, v)
		if list, field, ok := strings.Cut(k, "."); ok && list != "" && field != "" {
			g := groups[strings.ToLower(list)]
			if g == nil {
				if groups == nil {
					groups = map[string]*velocity.Map{}
				}
				g = velocity.NewMap(4)
				groups[strings.ToLower(list)] = g
				c.setField(list, g)
			}
			g.Put(field, v)
		}
	}
	return nil
}

// setField sets a contact field for Resolve.
func (c *Context) setField(name string, v any) {
	c.fields = append(c.fields, namedValue{name, v})
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decode turns stored JSON text into template values (exact numbers, ordered maps).
// Strings without escapes, integers, booleans and null — most params and contact
// fields — are read directly; other values go through delivery's JSON decoder, which
// gives the values velocity.DecodeJSON gives (its tests check that) in a single pass,
// where velocity.DecodeJSON's token-by-token reading costs several times as much —
// and earlier webhook responses, decoded for every later step, may be large.
func decode(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	switch c := raw[0]; {
	case c == '"' && len(raw) >= 2 && raw[len(raw)-1] == '"':
		body := raw[1 : len(raw)-1]
		if simpleString(body) {
			return string(body), nil
		}
	case c == '-' || c >= '0' && c <= '9':
		if s := string(raw); isJSONNumber(s) && !strings.ContainsAny(s, ".eE") {
			return velocity.Number(s)
		}
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	case string(raw) == "null":
		return nil, nil
	}
	return delivery.Decode(ContentTypeJSON, raw)
}

// simpleString reports whether b, the inside of a JSON string, needs no decoding:
// valid UTF-8 with no quote, backslash or control character.
func simpleString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}

// isIdentifier reports whether name can be written as $name in Velocity.
func isIdentifier(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}
