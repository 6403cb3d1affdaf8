package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
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
// for names Data lacks.
type Context struct {
	// Data is the top-level variables, for velocity's Execute.
	Data map[string]any
	// fields are the contact fields in the order added; Resolve compares names without
	// regard to case, and a later one of the same name wins.
	fields []namedValue
	// tools are Input.Tools, after the contact fields.
	tools map[string]any
	// opt is velocity.WithResolver(c), made once: a build executes several templates.
	opt velocity.Option
}

type namedValue struct {
	name string
	v    any
}

// Resolve looks a top-level name up among the contact fields, ignoring case, then
// among the tools. The engine calls it for names that are not in Data.
func (c *Context) Resolve(name string) (any, bool) {
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

// resolver returns the option that makes the engine resolve names through c.
func (c *Context) resolver() velocity.Option {
	if c.opt == nil { // a Context not made by NewContext
		return velocity.WithResolver(c)
	}
	return c.opt
}

// setField sets a contact field for Resolve.
func (c *Context) setField(name string, v any) {
	c.fields = append(c.fields, namedValue{name, v})
}

// NewContext builds the variables of one render.
func NewContext(in Input) (*Context, error) {
	c := &Context{Data: make(map[string]any, len(in.Params)+len(in.Responses)+5), tools: in.Tools}
	c.opt = velocity.WithResolver(c)
	nf := 0
	if in.Contact != nil {
		nf = len(in.Contact.Fields) + 3
	}
	data := velocity.NewMap(nf + len(in.Params) + len(in.Responses))
	if in.Contact != nil {
		if err := c.addContact(in.Contact, data); err != nil {
			return nil, err
		}
	}
	c.Data["workflowInstanceId"] = in.RunID
	params := make([]any, len(in.Params))
	for i, p := range in.Params {
		v, err := decode(p.Value)
		if err != nil {
			return nil, fmt.Errorf("event param %q: %w", p.Name, err)
		}
		params[i] = v
		data.Put(p.Name, v)
	}
	for _, r := range in.Responses {
		v, err := decode(r.Data)
		if err != nil {
			return nil, fmt.Errorf("response of webhook %q: %w", r.Name, err)
		}
		data.Put(r.Name, v)
		if isIdentifier(r.Name) {
			c.Data[r.Name] = v
		}
	}
	for i, p := range in.Params {
		c.Data[p.Name] = params[i] // params win over responses at the top level
	}
	c.Data["data"] = data
	return c, nil
}

// addContact adds the contact's fields to $data and the case-insensitive lookup, and
// $contact and $contactId to the variables.
func (c *Context) addContact(ct *webhook.Contact, data *velocity.Map) error {
	// Each value is boxed into an interface once and shared by the maps that hold it.
	whole := velocity.NewMap(len(ct.Fields) + 7)
	id := any(ct.ID)
	whole.Put("id", id)
	c.fields = make([]namedValue, 0, len(ct.Fields)+4)
	put := func(name string, v any) {
		data.Put(name, v)
		whole.Put(name, v)
		c.setField(name, v)
	}
	if ct.Email != "" {
		v := any(ct.Email)
		whole.Put("email", v)
		put("EMAIL", v)
	}
	if ct.Phone != "" {
		v := any(ct.Phone)
		whole.Put("phone", v)
		put("SMS", v)
		c.setField("phone", v)
	}
	if ct.ExternalCustomerID != "" {
		v := any(ct.ExternalCustomerID)
		whole.Put("externalCustomerId", v)
		put("EXTERNAL_CUSTOMER_ID", v)
	}
	var groups map[string]*velocity.Map // list key (lower-cased) → its fields
	for _, k := range sortedKeys(ct.Fields) {
		v, err := decode(ct.Fields[k])
		if err != nil {
			return fmt.Errorf("contact field %q: %w", k, err)
		}
		put(k, v)
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
	c.Data["contact"] = whole
	c.Data["contactId"] = id
	return nil
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
		if s := string(raw); isJSONNumber(s) && strings.IndexAny(s, ".eE") < 0 {
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
