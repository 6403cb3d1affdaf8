package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Mask stands for a secret in every response: secrets are write-only.
const Mask = "********"

// connectorInput is the body of POST /connectors and PUT /connectors/{id}. Exactly the
// fields of its type may be set; the secret field (password, token or key) is required
// on create and optional on update (absent or the mask keeps the stored secret).
type connectorInput struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Login    string  `json:"login"`
	Password *string `json:"password"`
	Token    *string `json:"token"`
	Key      *string `json:"key"`
	In       string  `json:"in"`
	KeyName  string  `json:"keyName"`
}

// connectorJSON is a connector in responses, its secret masked.
type connectorJSON struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	Login           string    `json:"login,omitempty"`
	Password        string    `json:"password,omitempty"`
	Token           string    `json:"token,omitempty"`
	Key             string    `json:"key,omitempty"`
	In              string    `json:"in,omitempty"`
	KeyName         string    `json:"keyName,omitempty"`
	SecretUpdatedAt time.Time `json:"secretUpdatedAt"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

func connectorToJSON(c webhook.Connector) connectorJSON {
	out := connectorJSON{ID: c.ID, Name: c.Name, Type: string(c.Type), SecretUpdatedAt: c.SecretUpdatedAt,
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	switch c.Type {
	case webhook.ConnectorBasic:
		out.Login, out.Password = c.Login, Mask
	case webhook.ConnectorBearer:
		out.Token = Mask
	case webhook.ConnectorAPIKey:
		out.Key, out.In, out.KeyName = Mask, string(c.In), c.KeyName
	}
	return out
}

// toConnector validates in and returns the connector and its new secret ("" with keep
// set when an update leaves the secret as it is).
func toConnector(in connectorInput, creating bool) (c webhook.Connector, secret string, keep bool, errs fieldErrors) {
	c = webhook.Connector{Name: strings.TrimSpace(in.Name), Type: webhook.ConnectorType(in.Type), Login: in.Login}
	if c.Name == "" {
		errs.add("/name", "A connector name is required.")
	} else {
		checkName(&errs, "/name", c.Name)
	}
	// secretField picks the one secret field of the type and refuses the others.
	secretField := func(name string, v *string, others map[string]*string) {
		for n, o := range others {
			if o != nil {
				errs.add("/"+n, "A %s connector has no %s; send %q instead.", c.Type, n, name)
			}
		}
		switch {
		case v == nil || *v == Mask:
			if creating {
				errs.add("/"+name, "The %s is required for a %s connector.", name, c.Type)
			}
			keep = true
		case *v == "":
			errs.add("/"+name, "The %s cannot be empty.", name)
		case len(*v) < delivery.MinSecretLen:
			errs.add("/"+name, "The %s is shorter than %d characters; a secret that short cannot be told apart from ordinary text, so it could not be masked wherever an endpoint echoes it.", name, delivery.MinSecretLen)
		case len(*v) > 4096:
			errs.add("/"+name, "The %s is longer than 4096 characters.", name)
		case strings.ContainsAny(*v, "\r\n"):
			errs.add("/"+name, "The %s cannot contain line breaks.", name)
		case hasControl(*v):
			// Never quote the value: it is the secret.
			errs.add("/"+name, "The %s contains a control character (such as a tab or NUL), which no HTTP header can carry; remove it.", name)
		default:
			secret = *v
		}
	}
	switch c.Type {
	case webhook.ConnectorBasic:
		if c.Login == "" {
			errs.add("/login", "A login is required for a basic connector.")
		} else if strings.ContainsAny(c.Login, ":\r\n") {
			errs.add("/login", "A Basic login cannot contain ':' or line breaks.")
		} else if hasControl(c.Login) {
			errs.add("/login", "The login contains a control character (such as a tab or NUL); remove it.")
		}
		secretField("password", in.Password, map[string]*string{"token": in.Token, "key": in.Key})
		if in.In != "" || in.KeyName != "" {
			errs.add("/in", "A basic connector has no in or keyName; remove them.")
		}
	case webhook.ConnectorBearer:
		secretField("token", in.Token, map[string]*string{"password": in.Password, "key": in.Key})
		if in.Login != "" || in.In != "" || in.KeyName != "" {
			errs.add("/login", "A bearer connector has only name, type and token; remove login, in and keyName.")
		}
	case webhook.ConnectorAPIKey:
		secretField("key", in.Key, map[string]*string{"password": in.Password, "token": in.Token})
		if in.Login != "" {
			errs.add("/login", "An apiKey connector has no login; remove it.")
		}
		c.In = webhook.KeyPlacement(in.In)
		switch c.In {
		case "":
			c.In = webhook.InHeader
		case webhook.InHeader, webhook.InQuery:
		default:
			errs.add("/in", `in must be "header" or "query", not %q.`, in.In)
		}
		c.KeyName = strings.TrimSpace(in.KeyName)
		if c.KeyName == "" {
			c.KeyName = webhook.DefaultAPIKeyName
		}
		if c.In == webhook.InHeader {
			checkHeaderName(&errs, "/keyName", c.KeyName)
		}
	case "":
		errs.add("/type", `A type is required: "basic", "bearer" or "apiKey".`)
	default:
		errs.add("/type", `The type must be "basic", "bearer" or "apiKey", not %q.`, in.Type)
	}
	return c, secret, keep, errs
}

func (a *api) createConnector(w http.ResponseWriter, r *http.Request) {
	var in connectorInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	c, secret, _, errs := toConnector(in, true)
	if len(errs) > 0 {
		writeProblem(w, a.log, invalid("connector", errs))
		return
	}
	now := a.now()
	c.ID = webhook.NewID(webhook.PrefixConnector, now)
	c.CreatedAt, c.UpdatedAt, c.SecretUpdatedAt = now, now, now
	ref, err := a.secrets.Put(r.Context(), c.ID, secret)
	if err != nil {
		a.writeError(w, r, "connector", fmt.Errorf("store connector secret: %w", err))
		return
	}
	c.SecretRef = ref
	created, err := a.store.CreateConnector(r.Context(), c)
	if err != nil {
		// The record was not written: drop the secret so nothing is left behind.
		if derr := a.secrets.Delete(r.Context(), ref); derr != nil {
			a.log.ErrorContext(r.Context(), "orphaned connector secret", "connectorId", c.ID, "error", derr.Error())
		}
		a.writeError(w, r, "connector", err)
		return
	}
	w.Header().Set("Location", "/connectors/"+created.ID)
	w.Header().Set("ETag", etag(created.Version))
	writeJSON(w, http.StatusCreated, connectorToJSON(created))
}

func (a *api) listConnectors(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	items, next, err := a.store.ListConnectors(r.Context(), page)
	if err != nil {
		a.writeError(w, r, "connector", cursorError(err))
		return
	}
	out := make([]connectorJSON, len(items))
	for i, it := range items {
		out[i] = connectorToJSON(it)
	}
	writeJSON(w, http.StatusOK, listJSON[connectorJSON]{Items: out, NextCursor: next})
}

func (a *api) getConnector(w http.ResponseWriter, r *http.Request) {
	c, err := a.store.GetConnector(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, "connector", err)
		return
	}
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusOK, connectorToJSON(c))
}

// updateConnector replaces a connector. If-Match is optional here: without it the update
// applies to the version just read.
func (a *api) updateConnector(w http.ResponseWriter, r *http.Request) {
	version, p := ifMatch(r, false)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	var in connectorInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	c, secret, keep, errs := toConnector(in, false)
	if len(errs) > 0 {
		writeProblem(w, a.log, invalid("connector", errs))
		return
	}
	cur, err := a.store.GetConnector(r.Context(), r.PathValue("id"))
	if isNotFound(err) && version == anyVersion {
		writeProblem(w, a.log, noCurrent("connector", r.PathValue("id")))
		return
	}
	if err != nil {
		a.writeError(w, r, "connector", err)
		return
	}
	if cur.Type != c.Type && keep {
		writeProblem(w, a.log, invalid("connector", []FieldError{{Pointer: "/type",
			Detail: fmt.Sprintf("Changing the type from %s to %s needs the new type's secret field too.", cur.Type, c.Type)}}))
		return
	}
	if version == 0 || version == anyVersion {
		version = cur.Version
	} else if version != cur.Version {
		a.writeError(w, r, "connector", webhook.ErrVersion)
		return
	}
	now := a.now()
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = cur.ID, version, cur.CreatedAt, now
	c.SecretRef, c.SecretUpdatedAt = cur.SecretRef, cur.SecretUpdatedAt
	if !keep {
		c.SecretUpdatedAt = now
	}
	// The record is written first, under its version: of two updates racing from the same
	// version only the one the store accepts goes on to replace the secret (a connector's
	// secret is one slot, keyed by its id), so a refused update changes nothing.
	updated, err := a.store.UpdateConnector(r.Context(), c)
	if err != nil {
		a.writeError(w, r, "connector", err)
		return
	}
	if !keep {
		ref, err := a.secrets.Put(r.Context(), c.ID, secret)
		if err == nil && ref != updated.SecretRef {
			// The secret had to be created anew (deleted behind Flowhook's back): keep its ref.
			updated.SecretRef, updated.UpdatedAt = ref, now
			updated, err = a.store.UpdateConnector(r.Context(), updated)
		}
		if err != nil {
			a.log.ErrorContext(r.Context(), "connector saved without its new secret", "connectorId", c.ID, "error", err.Error())
			writeProblem(w, a.log, problem(http.StatusInternalServerError, "secret_not_saved",
				"The connector was saved but its new secret was not; send the same PUT again (with the new ETag) to store the secret."))
			return
		}
	}
	w.Header().Set("ETag", etag(updated.Version))
	writeJSON(w, http.StatusOK, connectorToJSON(updated))
}

func (a *api) deleteConnector(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := a.store.GetConnector(r.Context(), id)
	if err != nil {
		a.writeError(w, r, "connector", err)
		return
	}
	if err := a.store.DeleteConnector(r.Context(), id); err != nil {
		var ce *webhook.ConflictError
		if errors.As(err, &ce) {
			ce.Field = "" // a DELETE has no body to point into
			if len(ce.Names) > 0 {
				ce.Reason = fmt.Sprintf("The connector is used by active webhooks %s; point them at another connector or delete them first.",
					quoteList(ce.Names))
			}
		}
		a.writeError(w, r, "connector", err)
		return
	}
	if err := a.secrets.Delete(r.Context(), c.SecretRef); err != nil && !isNotFound(err) {
		a.log.ErrorContext(r.Context(), "orphaned connector secret", "connectorId", id, "error", err.Error())
	}
	w.WriteHeader(http.StatusNoContent)
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
