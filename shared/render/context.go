package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

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
// Earlier entries win: a param named like a tool hides the tool.
type Context struct {
	// Data is the top-level variables, for velocity's Execute.
	Data map[string]any
	// fields maps lower-cased contact field names to their values; Resolve reads it.
	fields map[string]any
}

// Resolve looks a top-level name up among the contact fields, ignoring case. The engine
// calls it for names that are not in Data.
func (c *Context) Resolve(name string) (any, bool) {
	v, ok := c.fields[strings.ToLower(name)]
	return v, ok
}

// NewContext builds the variables of one render.
func NewContext(in Input) (*Context, error) {
	c := &Context{Data: make(map[string]any, len(in.Tools)+len(in.Params)+len(in.Responses)+4), fields: map[string]any{}}
	for name, t := range in.Tools {
		c.Data[name] = t
	}
	data := velocity.NewMap(16)
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
	whole := velocity.NewMap(len(ct.Fields) + 4)
	whole.Put("id", ct.ID)
	put := func(name string, v any) {
		data.Put(name, v)
		whole.Put(name, v)
		c.fields[strings.ToLower(name)] = v
	}
	if ct.Email != "" {
		whole.Put("email", ct.Email)
		put("EMAIL", ct.Email)
	}
	if ct.Phone != "" {
		whole.Put("phone", ct.Phone)
		put("SMS", ct.Phone)
		c.fields["phone"] = ct.Phone
	}
	if ct.ExternalCustomerID != "" {
		whole.Put("externalCustomerId", ct.ExternalCustomerID)
		put("EXTERNAL_CUSTOMER_ID", ct.ExternalCustomerID)
	}
	groups := map[string]*velocity.Map{}
	for _, k := range sortedKeys(ct.Fields) {
		v, err := decode(ct.Fields[k])
		if err != nil {
			return fmt.Errorf("contact field %q: %w", k, err)
		}
		put(k, v)
		if list, field, ok := strings.Cut(k, "."); ok && list != "" && field != "" {
			g := groups[strings.ToLower(list)]
			if g == nil {
				g = velocity.NewMap(4)
				groups[strings.ToLower(list)] = g
				c.fields[strings.ToLower(list)] = g
			}
			g.Put(field, v)
		}
	}
	c.Data["contact"] = whole
	c.Data["contactId"] = ct.ID
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
func decode(raw json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	return velocity.DecodeJSON(bytes.NewReader(raw))
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
