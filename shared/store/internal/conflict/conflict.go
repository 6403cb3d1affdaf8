// Package conflict builds the *webhook.ConflictError values both Flowhook stores return,
// so a user reads the same field, records and sentence whichever store is behind the API.
package conflict

import (
	"fmt"
	"strings"

	"github.com/flowhook/flowhook/shared/webhook"
)

// ID reports that a record of kind ("webhook", "contact", …) with id already exists.
func ID(kind, id string) *webhook.ConflictError {
	return &webhook.ConflictError{
		Field:  "id",
		Reason: fmt.Sprintf("A %s with the id %q already exists; create it with a new id.", kind, id),
		IDs:    []string{id},
	}
}

// Name reports that the active webhook or connector (kind) ownerID is already named name.
func Name(kind, name, ownerID string) *webhook.ConflictError {
	what := "A " + kind
	if kind == "webhook" {
		what = "An active webhook"
	}
	return &webhook.ConflictError{
		Field:  "name",
		Reason: fmt.Sprintf("%s is already named %q (id %s); choose another name, or rename or delete that %s first.", what, name, ownerID, kind),
		IDs:    []string{ownerID},
		Names:  []string{name},
	}
}

// MissingConnector reports that a webhook names a connector that does not exist.
func MissingConnector(connectorID string) *webhook.ConflictError {
	return &webhook.ConflictError{
		Field:  "connectorId",
		Reason: fmt.Sprintf("No connector has the id %q; create the connector first or choose an existing one.", connectorID),
		IDs:    []string{connectorID},
	}
}

// ConnectorInUse reports that active webhooks (ids, names, in the same order) still use
// the connector being deleted.
func ConnectorInUse(ids, names []string) *webhook.ConflictError {
	if len(ids) == 0 { // the DynamoDB index lags the reference count
		return &webhook.ConflictError{
			Field:  "connectorId",
			Reason: "The connector is used by active webhooks; delete those webhooks or switch them to another connector first.",
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return &webhook.ConflictError{
		Field: "connectorId",
		Reason: fmt.Sprintf("The connector is used by %d active webhook(s): %s; delete those webhooks or switch them to another connector first.",
			len(ids), strings.Join(quoted, ", ")),
		IDs:   ids,
		Names: names,
	}
}

// Email reports that contact ownerID already has email (compared case-insensitively).
func Email(email, ownerID string) *webhook.ConflictError {
	return &webhook.ConflictError{
		Field:  "email",
		Reason: fmt.Sprintf("Another contact (id %s) has the email %q (emails are compared ignoring case); update that contact instead.", ownerID, email),
		IDs:    []string{ownerID},
	}
}

// Phone reports that contact ownerID already has phone.
func Phone(phone, ownerID string) *webhook.ConflictError {
	return &webhook.ConflictError{
		Field:  "phone",
		Reason: fmt.Sprintf("Another contact (id %s) has the phone %q; update that contact instead.", ownerID, phone),
		IDs:    []string{ownerID},
	}
}

// Step reports that step seq of run runID is already recorded.
func Step(runID string, seq int) *webhook.ConflictError {
	return &webhook.ConflictError{
		Field:  "seq",
		Reason: fmt.Sprintf("Step %d of run %s is already recorded; a step is recorded once.", seq, runID),
		IDs:    []string{runID},
	}
}
