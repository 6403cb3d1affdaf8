// Package intake accepts events: it validates Reteno's Generate Event body (from the
// HTTP API or EventBridge), stores the event, resolves its contact, and writes one queued
// run per enabled workflow the event type triggers — all idempotently, so the same event
// delivered twice starts nothing twice.
package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Limits of an event (design §4, Reteno's documented limits).
const (
	MaxBodyBytes     = 20 << 10
	MaxTypeKeyLen    = 100
	MaxKeyValueLen   = 300
	MaxParamNameLen  = 100
	forbiddenKeyRune = "<;’\\/|\"`'^?!,>"
)

// body is the Generate Event request.
type body struct {
	EventTypeKey *string         `json:"eventTypeKey"`
	KeyValue     *string         `json:"keyValue"`
	Params       json.RawMessage `json:"params"`
}

// Parse validates a Generate Event body: eventTypeKey required (≤100 characters, none of
// < ; ’ \ / | " ` ' ^ ? ! , >), keyValue optional (≤300, the same characters forbidden),
// params as a [{name, value}] array or an object (names unique, ≤100 characters), and a
// contact identifier in the params or a keyValue. Every problem is reported with a
// JSON pointer in a *webhook.ValidationError.
func Parse(raw []byte) (webhook.Event, error) { return parse(raw, true) }

// ParseWithoutContact validates an event like Parse but does not require it to name a
// contact: a render or a test request may take its contact from elsewhere.
func ParseWithoutContact(raw []byte) (webhook.Event, error) { return parse(raw, false) }

func parse(raw []byte, needContact bool) (webhook.Event, error) {
	verr := &webhook.ValidationError{What: "event"}
	if len(raw) > MaxBodyBytes {
		verr.Add("", fmt.Sprintf("The event is %d bytes; the limit is %d (20 KB).", len(raw), MaxBodyBytes))
		return webhook.Event{}, verr
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var b body
	if err := dec.Decode(&b); err != nil {
		verr.Add(decodeProblem(err))
		return webhook.Event{}, verr
	}
	if dec.More() {
		verr.Add("", "The event holds more than one JSON value; send one object of eventTypeKey, keyValue and params.")
		return webhook.Event{}, verr
	}
	var ev webhook.Event
	switch {
	case b.EventTypeKey == nil || strings.TrimSpace(*b.EventTypeKey) == "":
		verr.Add("/eventTypeKey", "eventTypeKey is required: the event type that triggers workflows, e.g. \"order_created\".")
	default:
		ev.TypeKey = *b.EventTypeKey
		checkKey(verr, "/eventTypeKey", ev.TypeKey, MaxTypeKeyLen)
	}
	if b.KeyValue != nil {
		ev.KeyValue = *b.KeyValue
		checkKey(verr, "/keyValue", ev.KeyValue, MaxKeyValueLen)
	}
	ev.Params = parseParams(verr, b.Params)
	if needContact && len(verr.Errors) == 0 {
		if _, ok := Identify(ev); !ok {
			verr.Add("/params", "The event names no contact: add a param contactId, externalCustomerId, email or phone (names match ignoring case), or a keyValue.")
		}
	}
	if err := verr.Err(); err != nil {
		return webhook.Event{}, err
	}
	return ev, nil
}

// FromParams builds an event from a type and a params object, as EventBridge delivers
// them (detail-type and detail), with the same validation as Parse.
func FromParams(typeKey string, params json.RawMessage) (webhook.Event, error) {
	if len(bytes.TrimSpace(params)) == 0 {
		params = json.RawMessage("{}")
	}
	b, err := json.Marshal(map[string]any{"eventTypeKey": typeKey, "params": params})
	if err != nil {
		return webhook.Event{}, fmt.Errorf("encode eventbridge event: %w", err)
	}
	return Parse(b)
}

// decodeProblem says in the user's terms (a JSON pointer and a sentence, no decoder
// internals) why the event did not decode into body.
func decodeProblem(err error) (pointer, detail string) {
	const want = "The event must be one JSON object of eventTypeKey, keyValue and params"
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "", want + "; it is empty."
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", want + "; it ends too early."
	case errors.As(err, &syn):
		return "", fmt.Sprintf("%s; it is not valid JSON at byte %d.", want, syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "", fmt.Sprintf("%s, not a JSON %s.", want, typ.Value)
		}
		return "/" + strings.ReplaceAll(typ.Field, ".", "/"), fmt.Sprintf("Must be a string, not a JSON %s.", typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name), fmt.Sprintf("%q is not known; an event has eventTypeKey, keyValue and params.", name)
	}
	return "", want + "."
}

func checkKey(verr *webhook.ValidationError, ptr, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		verr.Add(ptr, fmt.Sprintf("It is %d characters long; use at most %d.", n, max))
	}
	if i := strings.IndexAny(s, forbiddenKeyRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		verr.Add(ptr, fmt.Sprintf("It contains %q; these characters are not allowed: < ; ’ \\ / | \" ` ' ^ ? ! , >.", r))
	}
}

// parseParams accepts [{name, value}] or {name: value}; values are kept as JSON text.
func parseParams(verr *webhook.ValidationError, raw json.RawMessage) []webhook.Param {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var params []webhook.Param
	seen := map[string]bool{}
	add := func(ptr, name string, value json.RawMessage) {
		switch {
		case name == "":
			verr.Add(ptr+"/name", "Each param needs a non-empty name.")
			return
		case utf8.RuneCountInString(name) > MaxParamNameLen:
			verr.Add(ptr+"/name", fmt.Sprintf("The param name is longer than %d characters.", MaxParamNameLen))
			return
		case seen[name]:
			verr.Add(ptr+"/name", fmt.Sprintf("The param %q appears twice; names must be unique.", name))
			return
		}
		seen[name] = true
		params = append(params, webhook.Param{Name: name, Value: append(json.RawMessage(nil), value...)})
	}
	switch raw[0] {
	case '[':
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			verr.Add("/params", "params must be an array of {\"name\", \"value\"} objects or an object.")
			return nil
		}
		for i, el := range arr {
			ptr := fmt.Sprintf("/params/%d", i)
			var p struct {
				Name  *string         `json:"name"`
				Value json.RawMessage `json:"value"`
			}
			d := json.NewDecoder(bytes.NewReader(el))
			d.DisallowUnknownFields()
			if err := d.Decode(&p); err != nil {
				verr.Add(ptr, "Each param is an object with exactly \"name\" and \"value\".")
				continue
			}
			if p.Name == nil {
				verr.Add(ptr+"/name", "Each param needs a name.")
				continue
			}
			if p.Value == nil {
				verr.Add(ptr+"/value", "Each param needs a value (any JSON value).")
				continue
			}
			add(ptr, *p.Name, p.Value)
		}
	case '{':
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			verr.Add("/params", "params is not a valid JSON object.")
			return nil
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				verr.Add("/params", "params is not a valid JSON object.")
				return nil
			}
			name := tok.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				verr.Add("/params/"+escape(name), "The value is not valid JSON.")
				return nil
			}
			add("/params/"+escape(name), name, v)
		}
	default:
		verr.Add("/params", "params must be an array of {\"name\", \"value\"} objects or an object.")
	}
	return params
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Param names that identify the contact, matched ignoring case (Reteno's defaults).
var (
	idNames    = []string{"contactid", "contact_id"}
	extNames   = []string{"externalcustomerid"}
	emailNames = []string{"email", "emailaddress", "useremail", "contactemail"}
	phoneNames = []string{"phone", "sms", "phonenumber"}
)

// Identify finds the contact identifiers in ev's params (names ignoring case; values as
// given, except that an externalCustomerId of "", " ", "null" or null is ignored). When
// the params hold none, a keyValue that looks like an email or a phone number is used as
// one, and any other keyValue as the external id. ok is false when nothing identifies
// the contact.
func Identify(ev webhook.Event) (id contact.Identity, ok bool) {
	for _, p := range ev.Params {
		name := strings.ToLower(p.Name)
		v, isScalar := scalar(p.Value)
		if !isScalar || strings.TrimSpace(v) == "" {
			continue
		}
		switch {
		case contains(idNames, name) && id.ContactID == "":
			id.ContactID = v
		case contains(extNames, name) && id.ExternalID == "":
			if strings.EqualFold(strings.TrimSpace(v), "null") {
				continue
			}
			id.ExternalID = v
		case contains(emailNames, name) && id.Email == "":
			id.Email = strings.TrimSpace(v)
		case contains(phoneNames, name) && id.Phone == "":
			id.Phone = strings.TrimSpace(v)
		}
	}
	if id.IsZero() && strings.TrimSpace(ev.KeyValue) != "" {
		kv := strings.TrimSpace(ev.KeyValue)
		switch {
		case strings.Contains(kv, "@"):
			id.Email = kv
		case looksLikePhone(kv):
			id.Phone = kv
		default:
			id.ExternalID = kv
		}
	}
	return id, !id.IsZero()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns a JSON string's value, or a number's or boolean's text.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '{', '[', 'n':
		return "", false
	}
	return string(raw), true
}

func looksLikePhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 7
}
