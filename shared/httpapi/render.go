package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/webhook"
)

// TemplateRenderer renders a template with a render input.
type TemplateRenderer interface {
	Render(ctx context.Context, name, src string, in render.Input) (string, error)
}

// RenderStore is what POST /render reads.
type RenderStore interface {
	contact.Store
}

// RenderConfig is what the render route needs.
type RenderConfig struct {
	Store    RenderStore
	Renderer TemplateRenderer
	Log      *slog.Logger
}

// renderInput is the body of POST /render.
type renderInput struct {
	Template  string                     `json:"template"`
	ContactID string                     `json:"contactId"`
	Contact   *selectorJSON              `json:"contact"`
	Event     json.RawMessage            `json:"event"`
	Data      map[string]json.RawMessage `json:"data"`
}

// Render returns the route of the render function: POST /render renders a message
// template with a contact, an event and earlier webhook responses, answering
// {"output": …}, or 422 with the line and column of a template error.
func Render(c RenderConfig) []Route {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{log: log}
	return []Route{{"POST /render", auth.ScopeAdmin, func(w http.ResponseWriter, r *http.Request) {
		var in renderInput
		if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
			writeProblem(w, log, p)
			return
		}
		var errs fieldErrors
		if strings.TrimSpace(in.Template) == "" {
			errs.add("/template", "Send the template to render.")
		}
		switch {
		case in.ContactID != "" && in.Contact != nil:
			errs.add("/contact", "Name the contact once: contactId or contact, not both.")
		case in.Contact != nil && in.Contact.ID == "" && in.Contact.Email == "" && in.Contact.Phone == "":
			errs.add("/contact", `Name the contact by "email", "phone" or "id", or leave contact out to render without one.`)
		}
		ri := render.Input{}
		if len(in.Event) > 0 && string(in.Event) != "null" && checkEvent(&errs, in.Event) {
			ev, err := intake.ParseWithoutContact(in.Event)
			var ve *webhook.ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Errors {
					errs.add("/event"+fe.Pointer, "%s", fe.Detail)
				}
			}
			ri.Params = ev.Params
		}
		names := make([]string, 0, len(in.Data))
		for k := range in.Data {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			ri.Responses = append(ri.Responses, render.Response{Name: k, Data: in.Data[k]})
		}
		if len(errs) > 0 {
			writeProblem(w, log, invalid("render request", errs))
			return
		}
		id, pointer := contact.Identity{ContactID: in.ContactID}, "/contactId"
		if in.Contact != nil {
			id = contact.Identity{ContactID: in.Contact.ID, Email: in.Contact.Email, Phone: contact.NormalizePhone(in.Contact.Phone)}
			pointer = "/contact"
		}
		if !id.IsZero() {
			ct, err := contact.Find(r.Context(), c.Store, id)
			if err != nil {
				if errors.Is(err, webhook.ErrNotFound) {
					writeProblem(w, log, problem(http.StatusNotFound, "not_found", "No contact matches; check the id, email or phone, or create the contact first.",
						FieldError{Pointer: pointer, Detail: "No such contact."}))
					return
				}
				a.writeError(w, r, "contact", err)
				return
			}
			ri.Contact = &ct
		}
		out, err := c.Renderer.Render(r.Context(), "template", in.Template, ri)
		if err != nil {
			if p := templateProblem(err); p != nil {
				writeProblem(w, log, p)
				return
			}
			a.writeError(w, r, "template", err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"output": out})
	}}}
}

// templateProblem turns a template error into a 422 carrying its line and column, or
// returns nil for errors that are not the template's fault.
func templateProblem(err error) *Problem {
	var pe *velocity.ParseError
	var re *velocity.RenderError
	var fe *velocity.ReferenceError
	var le *velocity.LimitError
	line, col := 0, 0
	switch {
	case errors.As(err, &pe):
		line, col = pe.Line, pe.Col
	case errors.As(err, &fe):
		line, col = fe.Line, fe.Col
	case errors.As(err, &re):
		line, col = re.Line, re.Col
	case errors.As(err, &le):
		line, col = le.Line, le.Col
	default:
		return nil
	}
	p := problem(http.StatusUnprocessableEntity, "template_error",
		fmt.Sprintf("The template does not render: %s.", strings.TrimSuffix(err.Error(), ".")),
		FieldError{Pointer: "/template", Detail: err.Error()})
	p.Line, p.Column = line, col
	return p
}
