package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// contactInput is the body of PUT /contacts/{id} and POST /contacts.
type contactInput struct {
	ID                 string                     `json:"id"`
	Email              string                     `json:"email"`
	Phone              string                     `json:"phone"`
	ExternalCustomerID string                     `json:"externalCustomerId"`
	Fields             map[string]json.RawMessage `json:"fields"`
}

// contactJSON is a contact in responses.
type contactJSON struct {
	ID                 string                     `json:"id"`
	Email              string                     `json:"email,omitempty"`
	Phone              string                     `json:"phone,omitempty"`
	ExternalCustomerID string                     `json:"externalCustomerId,omitempty"`
	Fields             map[string]json.RawMessage `json:"fields"`
	Version            int64                      `json:"version"`
	CreatedAt          time.Time                  `json:"createdAt"`
	UpdatedAt          time.Time                  `json:"updatedAt"`
}

func contactToJSON(c webhook.Contact) contactJSON {
	f := c.Fields
	if f == nil {
		f = map[string]json.RawMessage{}
	}
	return contactJSON{ID: c.ID, Email: c.Email, Phone: c.Phone, ExternalCustomerID: c.ExternalCustomerID,
		Fields: f, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Contact limits.
const (
	maxContactFields = 200
	maxFieldBytes    = 5000
	// maxContactBytes keeps a contact well under DynamoDB's 400 KB item limit however
	// many upserts merge into it.
	maxContactBytes = 256 << 10
)

func checkContact(in contactInput) fieldErrors {
	var errs fieldErrors
	if in.Email != "" && (!strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " \t\r\n") || len(in.Email) > 254) {
		errs.add("/email", "%q is not an email address like ann@example.com.", in.Email)
	}
	if in.Phone != "" && !validPhone(contact.NormalizePhone(in.Phone)) {
		errs.add("/phone", "%q is not a phone number; use the international format, e.g. +380501234567.", in.Phone)
	}
	if in.ID != "" {
		checkContactID(&errs, "/id", in.ID)
	}
	if len(in.ExternalCustomerID) > 300 {
		errs.add("/externalCustomerId", "The external id is longer than 300 characters.")
	}
	if len(in.Fields) > maxContactFields {
		errs.add("/fields", "A contact has at most %d fields, not %d.", maxContactFields, len(in.Fields))
	}
	for k, v := range in.Fields {
		ptr := "/fields/" + escapePointer(k)
		switch {
		case strings.TrimSpace(k) == "" || len(k) > 100:
			errs.add(ptr, "A field name is 1 to 100 characters, e.g. FIRSTNAME or PERSONAL.GENDER.")
		case strings.Count(k, ".") > 1:
			errs.add(ptr, "An additional field is named LISTKEY.FIELDKEY with one dot, e.g. PERSONAL.BIRTHDAY.")
		case len(v) > maxFieldBytes:
			errs.add(ptr, "The value is larger than %d bytes.", maxFieldBytes)
		}
	}
	return errs
}

// fieldsSize is the size of a contact's fields as stored: names and JSON values.
func fieldsSize(f map[string]json.RawMessage) int {
	n := 0
	for k, v := range f {
		n += len(k) + len(v)
	}
	return n
}

// validPhone reports whether a normalized phone number is an optional + and 5 to 15
// digits (E.164 allows at most 15).
func validPhone(p string) bool {
	digits := strings.TrimPrefix(p, "+")
	if len(digits) < 5 || len(digits) > 15 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxContactIDLen bounds a contact id chosen by the client; it must fit a store key.
const maxContactIDLen = 128

// checkContactID refuses a client-chosen contact id that cannot travel in a URL path
// segment as it is, or is too long to be a key.
func checkContactID(errs *fieldErrors, pointer, id string) {
	switch {
	case len(id) > maxContactIDLen:
		errs.add(pointer, "The contact id is %d bytes long; use at most %d.", len(id), maxContactIDLen)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == '/' }) >= 0:
		errs.add(pointer, "A contact id cannot contain spaces, control characters or '/'; use letters, digits and punctuation such as - _ . : @.")
	}
}

// fieldsOf copies the fields of in with JSON nulls dropped (null removes a field on merge).
func mergeFields(old map[string]json.RawMessage, in map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(old)+len(in))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range in {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// putContact creates or replaces the contact with the path's id. Fields are replaced
// entirely (PUT semantics); If-Match, when sent, must be the stored version.
func (a *api) putContact(w http.ResponseWriter, r *http.Request) {
	version, p := ifMatch(r, false)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	var in contactInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	id := r.PathValue("id")
	errs := checkContact(in)
	if in.ID != "" && in.ID != id {
		errs.add("/id", "The body's id %q differs from the path's %q; remove it or make them equal.", in.ID, id)
	} else if in.ID == "" {
		checkContactID(&errs, "/id", id)
	}
	if len(errs) > 0 {
		writeProblem(w, a.log, invalid("contact", errs))
		return
	}
	now := a.now()
	c := webhook.Contact{ID: id, Email: in.Email, Phone: contact.NormalizePhone(in.Phone), ExternalCustomerID: in.ExternalCustomerID,
		Fields: mergeFields(nil, in.Fields), UpdatedAt: now}
	cur, err := a.store.GetContact(r.Context(), id)
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		if version == anyVersion {
			writeProblem(w, a.log, noCurrent("contact", id))
			return
		}
		if version != 0 {
			a.writeError(w, r, "contact", err)
			return
		}
		c.CreatedAt = now
		created, err := a.store.CreateContact(r.Context(), c)
		if err != nil {
			a.writeError(w, r, "contact", err)
			return
		}
		w.Header().Set("ETag", etag(created.Version))
		writeJSON(w, http.StatusCreated, contactToJSON(created))
		return
	case err != nil:
		a.writeError(w, r, "contact", err)
		return
	}
	if version != 0 && version != anyVersion && version != cur.Version {
		a.writeError(w, r, "contact", webhook.ErrVersion)
		return
	}
	c.Version, c.CreatedAt = cur.Version, cur.CreatedAt
	updated, err := a.store.UpdateContact(r.Context(), c)
	if err != nil {
		a.writeError(w, r, "contact", err)
		return
	}
	w.Header().Set("ETag", etag(updated.Version))
	writeJSON(w, http.StatusOK, contactToJSON(updated))
}

// maxUpsertAttempts bounds the merges one upsert tries. Each attempt that fails does so
// because another request's write succeeded in between, so n requests racing on one
// contact all succeed within n attempts; imports run a few dozen requests in parallel.
const maxUpsertAttempts = 64

// upsertContact finds the contact by id, email or phone (in that order) and merges the
// body into it (given fields overwrite, null removes, others stay), or creates it.
func (a *api) upsertContact(w http.ResponseWriter, r *http.Request) {
	var in contactInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	errs := checkContact(in)
	if in.ID == "" && in.Email == "" && in.Phone == "" {
		errs.add("/email", "Identify the contact: send an id, an email or a phone.")
	}
	if len(errs) > 0 {
		writeProblem(w, a.log, invalid("contact", errs))
		return
	}
	id := contact.Identity{ContactID: in.ID, Email: in.Email, Phone: contact.NormalizePhone(in.Phone)}
	now := a.now()
	for attempt := 0; ; attempt++ {
		cur, err := contact.Find(r.Context(), a.store, id)
		if errors.Is(err, webhook.ErrNotFound) {
			c := webhook.Contact{ID: in.ID, Email: in.Email, Phone: id.Phone, ExternalCustomerID: in.ExternalCustomerID,
				Fields: mergeFields(nil, in.Fields), CreatedAt: now, UpdatedAt: now}
			if c.ID == "" {
				c.ID = webhook.NewID(webhook.PrefixContact, now)
			}
			created, err := a.store.CreateContact(r.Context(), c)
			if errors.Is(err, webhook.ErrConflict) && in.ID == "" && attempt < maxUpsertAttempts {
				continue // created concurrently: merge into it instead
			}
			if err != nil {
				a.writeError(w, r, "contact", err)
				return
			}
			w.Header().Set("Location", "/contacts/"+created.ID)
			w.Header().Set("ETag", etag(created.Version))
			writeJSON(w, http.StatusCreated, contactToJSON(created))
			return
		}
		if err != nil {
			a.writeError(w, r, "contact", err)
			return
		}
		if in.Email != "" {
			cur.Email = in.Email
		}
		if id.Phone != "" {
			cur.Phone = id.Phone
		}
		if in.ExternalCustomerID != "" {
			cur.ExternalCustomerID = in.ExternalCustomerID
		}
		cur.Fields = mergeFields(cur.Fields, in.Fields)
		if n, size := len(cur.Fields), fieldsSize(cur.Fields); n > maxContactFields || size > maxContactBytes {
			writeProblem(w, a.log, invalid("contact", []FieldError{{Pointer: "/fields", Detail: fmt.Sprintf(
				"After this merge the contact would have %d fields of %d KB in all; a contact keeps at most %d fields and %d KB. Remove fields by sending them as null.",
				n, size>>10, maxContactFields, maxContactBytes>>10)}}))
			return
		}
		cur.UpdatedAt = now
		updated, err := a.store.UpdateContact(r.Context(), cur)
		if errors.Is(err, webhook.ErrVersion) {
			if attempt < maxUpsertAttempts {
				continue // changed meanwhile: merge again into the new version
			}
			writeProblem(w, a.log, problem(http.StatusConflict, "version_conflict",
				"The contact kept changing under other requests while this one merged into it; send the same request again."))
			return
		}
		if err != nil {
			a.writeError(w, r, "contact", err)
			return
		}
		w.Header().Set("ETag", etag(updated.Version))
		writeJSON(w, http.StatusOK, contactToJSON(updated))
		return
	}
}

func (a *api) getContact(w http.ResponseWriter, r *http.Request) {
	c, err := a.store.GetContact(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, "contact", err)
		return
	}
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusOK, contactToJSON(c))
}

// searchContacts answers GET /contacts?q= (prefix of email, phone or name); without q it
// lists every contact.
func (a *api) searchContacts(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var items []webhook.Contact
	var next string
	var err error
	if q == "" {
		items, next, err = a.store.ListContacts(r.Context(), page)
	} else {
		items, next, err = a.store.SearchContacts(r.Context(), q, page)
	}
	if err != nil {
		a.writeError(w, r, "contact", cursorError(err))
		return
	}
	out := make([]contactJSON, len(items))
	for i, c := range items {
		out[i] = contactToJSON(c)
	}
	writeJSON(w, http.StatusOK, listJSON[contactJSON]{Items: out, NextCursor: next})
}

// segmentInput is the body of POST /segments; id and times are Flowhook's.
type segmentInput struct {
	Name  string     `json:"name"`
	Rules []ruleJSON `json:"rules"`
}

// segmentJSON is a segment in responses.
type segmentJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Rules     []ruleJSON `json:"rules"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

type ruleJSON struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
}

// Segment limits: each rule is checked against every contact a listing reads.
const (
	maxSegmentRules = 50
	maxRuleValueLen = 1000
)

func segmentToJSON(s webhook.Segment) segmentJSON {
	rules := make([]ruleJSON, len(s.Rules))
	for i, r := range s.Rules {
		rules[i] = ruleJSON{Field: r.Field, Op: string(r.Op), Value: r.Value}
	}
	return segmentJSON{ID: s.ID, Name: s.Name, Rules: rules, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

var segmentOps = map[webhook.SegmentOp]bool{webhook.OpEquals: true, webhook.OpNotEquals: true, webhook.OpContains: true,
	webhook.OpStartsWith: true, webhook.OpIsSet: true, webhook.OpIsEmpty: true}

func (a *api) createSegment(w http.ResponseWriter, r *http.Request) {
	var in segmentInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	var errs fieldErrors
	seg := webhook.Segment{Name: strings.TrimSpace(in.Name)}
	if seg.Name == "" {
		errs.add("/name", "A segment name is required.")
	} else {
		checkName(&errs, "/name", seg.Name)
	}
	if len(in.Rules) > maxSegmentRules {
		errs.add("/rules", "A segment has at most %d rules, not %d.", maxSegmentRules, len(in.Rules))
		in.Rules = nil
	}
	for i, rl := range in.Rules {
		ptr := fmt.Sprintf("/rules/%d", i)
		if strings.TrimSpace(rl.Field) == "" || len(rl.Field) > 100 {
			errs.add(ptr+"/field", "Name a contact field (at most 100 characters): email, phone, externalCustomerId, or a field such as TOWN or PERSONAL.GENDER.")
		}
		op := webhook.SegmentOp(rl.Op)
		switch {
		case !segmentOps[op]:
			errs.add(ptr+"/op", "op must be one of equals, notEquals, contains, startsWith, isSet, isEmpty.")
		case (op == webhook.OpIsSet || op == webhook.OpIsEmpty) && rl.Value != "":
			errs.add(ptr+"/value", "%s compares no value; remove value, or use equals.", op)
		case utf8.RuneCountInString(rl.Value) > maxRuleValueLen:
			errs.add(ptr+"/value", "The value is longer than %d characters.", maxRuleValueLen)
		}
		seg.Rules = append(seg.Rules, webhook.SegmentRule{Field: rl.Field, Op: op, Value: rl.Value})
	}
	if len(errs) > 0 {
		writeProblem(w, a.log, invalid("segment", errs))
		return
	}
	now := a.now()
	seg.ID = webhook.NewID(webhook.PrefixSegment, now)
	seg.CreatedAt, seg.UpdatedAt = now, now
	created, err := a.store.CreateSegment(r.Context(), seg)
	if err != nil {
		a.writeError(w, r, "segment", err)
		return
	}
	w.Header().Set("Location", "/segments/"+created.ID)
	writeJSON(w, http.StatusCreated, segmentToJSON(created))
}

func (a *api) listSegments(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	items, next, err := a.store.ListSegments(r.Context(), page)
	if err != nil {
		a.writeError(w, r, "segment", cursorError(err))
		return
	}
	out := make([]segmentJSON, len(items))
	for i, s := range items {
		out[i] = segmentToJSON(s)
	}
	writeJSON(w, http.StatusOK, listJSON[segmentJSON]{Items: out, NextCursor: next})
}

// maxSegmentScanPages bounds the store pages one request reads while filling a page of
// a segment's contacts; the cursor lets the client continue where it stopped.
const maxSegmentScanPages = 20

// segmentContacts pages through contacts and keeps those matching every rule.
func (a *api) segmentContacts(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	seg, err := a.store.GetSegment(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, "segment", err)
		return
	}
	want := page.Size()
	out := []contactJSON{}
	cursor := page.Cursor
	for i := 0; i < maxSegmentScanPages && len(out) < want; i++ {
		items, next, err := a.store.ListContacts(r.Context(), store.Page{Limit: want - len(out), Cursor: cursor})
		if err != nil {
			a.writeError(w, r, "segment", cursorError(err))
			return
		}
		for _, c := range items {
			if contact.Matches(c, seg.Rules) {
				out = append(out, contactToJSON(c))
			}
		}
		cursor = next
		if next == "" {
			break
		}
	}
	writeJSON(w, http.StatusOK, listJSON[contactJSON]{Items: out, NextCursor: cursor})
}
