package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

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
)

func checkContact(in contactInput) fieldErrors {
	var errs fieldErrors
	if in.Email != "" && (!strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " \t\r\n") || len(in.Email) > 254) {
		errs.add("/email", "%q is not an email address like ann@example.com.", in.Email)
	}
	if in.Phone != "" {
		if p := contact.NormalizePhone(in.Phone); len(strings.TrimPrefix(p, "+")) < 5 || strings.ContainsAny(p, " -()") {
			errs.add("/phone", "%q is not a phone number; use the international format, e.g. +380501234567.", in.Phone)
		}
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
	if version != 0 && version != cur.Version {
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
			if errors.Is(err, webhook.ErrConflict) && attempt < 2 && in.ID == "" {
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
		cur.UpdatedAt = now
		updated, err := a.store.UpdateContact(r.Context(), cur)
		if errors.Is(err, webhook.ErrVersion) && attempt < 2 {
			continue // changed meanwhile: merge again into the new version
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

// segmentJSON is a segment on the wire (input and output).
type segmentJSON struct {
	ID        string     `json:"id,omitempty"`
	Name      string     `json:"name"`
	Rules     []ruleJSON `json:"rules"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

type ruleJSON struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
}

func segmentToJSON(s webhook.Segment) segmentJSON {
	rules := make([]ruleJSON, len(s.Rules))
	for i, r := range s.Rules {
		rules[i] = ruleJSON{Field: r.Field, Op: string(r.Op), Value: r.Value}
	}
	c, u := s.CreatedAt, s.UpdatedAt
	return segmentJSON{ID: s.ID, Name: s.Name, Rules: rules, CreatedAt: &c, UpdatedAt: &u}
}

var segmentOps = map[webhook.SegmentOp]bool{webhook.OpEquals: true, webhook.OpNotEquals: true, webhook.OpContains: true,
	webhook.OpStartsWith: true, webhook.OpIsSet: true, webhook.OpIsEmpty: true}

func (a *api) createSegment(w http.ResponseWriter, r *http.Request) {
	var in segmentJSON
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	var errs fieldErrors
	if in.ID != "" || in.CreatedAt != nil || in.UpdatedAt != nil {
		errs.add("/id", "id and times are set by Flowhook; remove them.")
	}
	if strings.TrimSpace(in.Name) == "" {
		errs.add("/name", "A segment name is required.")
	}
	seg := webhook.Segment{Name: strings.TrimSpace(in.Name)}
	for i, rl := range in.Rules {
		ptr := fmt.Sprintf("/rules/%d", i)
		if strings.TrimSpace(rl.Field) == "" {
			errs.add(ptr+"/field", "Name a contact field: email, phone, externalCustomerId, or a field such as TOWN or PERSONAL.GENDER.")
		}
		op := webhook.SegmentOp(rl.Op)
		if !segmentOps[op] {
			errs.add(ptr+"/op", "op must be one of equals, notEquals, contains, startsWith, isSet, isEmpty.")
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
