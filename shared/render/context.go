package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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
//
// A Context from NewLazyContext keeps the values as their JSON text until a template
// reads them; its Data is nil and Resolve looks every name up, in the same order.
type Context struct {
	// Data is the top-level variables, for velocity's Execute; nil in a Context from
	// NewLazyContext.
	Data map[string]any
	// lazy marks a Context from NewLazyContext: params, responses and contact fields
	// hold *lazyValue, and runID is $workflowInstanceId.
	lazy  bool
	runID string
	// The contact fields Resolve finds without regard to case are own (below) and
	// extras, the aliases and list keys, each placed right after own[extraAfter[i]];
	// of two of the same name the later one wins.
	extras     []namedValue
	extraAfter []int
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

	// lazies hold the values of a Context from NewLazyContext; params, responses and
	// own point into it. Release keeps the slices' room for the next Context.
	lazies []lazyValue
}

type namedValue struct {
	name string
	v    any
}

// Resolve looks a top-level name up as the engine's fallback for names not in Data:
// $data and $contact, then the contact fields without regard to case, then the tools.
// In a Context from NewLazyContext, whose Data is nil, it looks up every name.
func (c *Context) Resolve(name string) (any, bool) {
	if c.lazy {
		v, ok := c.lookupLazy(name)
		return resolved(v), ok
	}
	return c.fallback(name)
}

// lookup returns the value of a top-level name, nil when there is none; in a lazy
// Context a param, response or contact field may come as its *lazyValue.
func (c *Context) lookup(name string) any {
	if c.lazy {
		v, _ := c.lookupLazy(name)
		return v
	}
	if v, ok := c.Data[name]; ok {
		return v
	}
	v, _ := c.fallback(name)
	return v
}

// lookupLazy looks a name up in a lazy Context in the order NewContext's Data and
// Resolve give: $data; the last param of that name; the last response of that name
// when it is an identifier; $workflowInstanceId and $contactId; then the fallback.
func (c *Context) lookupLazy(name string) (any, bool) {
	if name == "data" {
		return c.data(), true
	}
	for i := len(c.params) - 1; i >= 0; i-- {
		if c.params[i].name == name {
			return c.params[i].v, true
		}
	}
	for i := len(c.responses) - 1; i >= 0; i-- {
		if c.responses[i].name == name && isIdentifier(name) {
			return c.responses[i].v, true
		}
	}
	switch {
	case name == "workflowInstanceId":
		return c.runID, true
	case name == "contactId" && c.contact != nil:
		return c.contact.ID, true
	}
	return c.fallback(name)
}

// fallback is Resolve for the names Data lacks.
func (c *Context) fallback(name string) (any, bool) {
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
	i := len(c.own) - 1
	for i >= 0 && !strings.EqualFold(c.own[i].name, name) {
		i--
	}
	for j := len(c.extras) - 1; j >= 0; j-- {
		if c.extraAfter[j] >= i && strings.EqualFold(c.extras[j].name, name) {
			return c.extras[j].v, true // placed after own[i]
		}
	}
	if i >= 0 {
		return c.own[i].v, true
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
				m.Put(nv.name, resolved(nv.v))
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
			m.Put(nv.name, resolved(nv.v))
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
	return newContext(in, false)
}

// NewLazyContext is NewContext for a render that reads few of the input's values, as a
// webhook's templates do. It checks every value as NewContext does, with the same
// errors, but keeps each param, response and contact field as its JSON text, decoded
// when a template first reads it; Build writes strings without escapes, integers,
// booleans, and arrays and objects already in the form Build writes JSON in, straight
// from that text. Its Data is nil: Resolve looks up every name, in NewContext's order,
// so the Context serves the engine as well.
func NewLazyContext(in Input) (*Context, error) {
	return newContext(in, true)
}

func newContext(in Input, lazy bool) (*Context, error) {
	var c *Context
	if lazy {
		c = lazyPool.Get().(*Context)
	} else {
		c = new(Context)
	}
	c.tools, c.lazy, c.runID = in.Tools, lazy, in.RunID
	var lazies []lazyValue
	if lazy {
		n := len(in.Params) + len(in.Responses)
		if in.Contact != nil {
			n += len(in.Contact.Fields)
		}
		if cap(c.lazies) < n {
			c.lazies = make([]lazyValue, 0, n)
		}
		lazies = c.lazies[:0] // never grown: the Context points into it
	} else {
		c.Data = make(map[string]any, len(in.Params)+len(in.Responses)+3)
	}
	value := func(raw json.RawMessage) (any, error) {
		if !lazy {
			return decode(raw)
		}
		lazies = lazies[:len(lazies)+1]
		l := &lazies[len(lazies)-1]
		if err := l.init(raw); err != nil {
			return nil, err
		}
		return l, nil
	}
	if in.Contact != nil {
		if err := c.addContact(in.Contact, value); err != nil {
			return nil, err
		}
	}
	if n := len(in.Params) + len(in.Responses); cap(c.params) < n {
		c.params = make([]namedValue, n)
	}
	c.params, c.responses = c.params[:len(in.Params):len(in.Params)], c.params[len(in.Params):len(in.Params)+len(in.Responses)]
	for i, p := range in.Params {
		v, err := value(p.Value)
		if err != nil {
			return nil, fmt.Errorf("event param %q: %w", p.Name, err)
		}
		c.params[i] = namedValue{p.Name, v}
	}
	for i, r := range in.Responses {
		v, err := value(r.Data)
		if err != nil {
			return nil, fmt.Errorf("response of webhook %q: %w", r.Name, err)
		}
		c.responses[i] = namedValue{r.Name, v}
	}
	if lazy {
		return c, nil
	}
	c.Data["workflowInstanceId"] = in.RunID
	if c.contact != nil {
		c.Data["contactId"] = c.contact.ID
	}
	for _, r := range c.responses {
		if isIdentifier(r.name) {
			c.Data[r.name] = r.v
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

// lazyPool keeps released lazy Contexts, with their slices' room.
var lazyPool = sync.Pool{New: func() any { return new(Context) }}

// maxPooledValues is the most values a released Context may have room for and still
// be kept.
const maxPooledValues = 256

// Release lets a later NewLazyContext reuse c (from NewLazyContext) and its room:
// after it, c must not be used, nor Data or anything else read from it but the values
// Resolve returned and what Build built. Release is optional, and does nothing for a
// Context from NewContext.
func (c *Context) Release() {
	if !c.lazy || cap(c.lazies) > maxPooledValues || cap(c.params) > maxPooledValues || cap(c.own) > maxPooledValues {
		return
	}
	lazies, params, own := c.lazies[:cap(c.lazies)], c.params[:cap(c.params)], c.own[:cap(c.own)]
	clear(lazies) // drop the references to the input and decoded values
	clear(params)
	clear(own)
	*c = Context{lazies: lazies[:0], params: params[:0], own: own[:0]}
	lazyPool.Put(c)
}

// addContact adds the contact's fields to the case-insensitive lookup and keeps what
// $data and $contact are made of; value turns a field's JSON into its value.
func (c *Context) addContact(ct *webhook.Contact, value func(json.RawMessage) (any, error)) error {
	c.contact = ct
	if cap(c.own) < len(ct.Fields)+3 {
		c.own = make([]namedValue, 0, len(ct.Fields)+3)
	}
	c.own = c.own[:0]
	own := func(name string, v any) {
		c.own = append(c.own, namedValue{name, v})
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
	var buf [16]string
	for _, k := range sortedKeys(ct.Fields, buf[:0]) {
		list, field, grouped := strings.Cut(k, ".")
		grouped = grouped && list != "" && field != ""
		var v any
		var err error
		if grouped {
			v, err = decode(ct.Fields[k]) // a list key's map holds decoded values
		} else {
			v, err = value(ct.Fields[k])
		}
		if err != nil {
			return fmt.Errorf("contact field %q: %w", k, err)
		}
		own(k, v)
		if grouped {
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

// setField adds an alias or list key for Resolve, after the last own field.
func (c *Context) setField(name string, v any) {
	c.extras = append(c.extras, namedValue{name, v})
	c.extraAfter = append(c.extraAfter, len(c.own)-1)
}

// sortedKeys appends m's keys to keys, sorted.
func sortedKeys(m map[string]json.RawMessage, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
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
	for i, c := range b {
		switch {
		case c >= utf8.RuneSelf:
			return simpleString8(b[i:])
		case c < 0x20 || c == '"' || c == '\\':
			return false
		}
	}
	return true
}

// simpleString8 is simpleString from the first byte outside ASCII on.
func simpleString8(b []byte) bool {
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
