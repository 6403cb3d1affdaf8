package conflict

import (
	"errors"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/webhook"
)

func TestConflicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    *webhook.ConflictError
		field  string
		ids    []string
		phrase string
	}{
		{"id", ID("webhook", "w_1"), "id", []string{"w_1"}, `"w_1" already exists`},
		{"webhook name", Name("webhook", "WH5", "w_1"), "name", []string{"w_1"}, `An active webhook is already named "WH5"`},
		{"connector name", Name("connector", "crm", "c_1"), "name", []string{"c_1"}, `A connector is already named "crm"`},
		{"missing connector", MissingConnector("c_9"), "connectorId", []string{"c_9"}, "create the connector first"},
		{"connector in use", ConnectorInUse([]string{"w_1", "w_2"}, []string{"A", "B"}), "connectorId", []string{"w_1", "w_2"}, `2 active webhook(s): "A", "B"`},
		{"connector in use, users not yet indexed", ConnectorInUse(nil, nil), "connectorId", nil, "used by active webhooks"},
		{"email", Email("Ann@x.com", "ct_1"), "email", []string{"ct_1"}, `"Ann@x.com"`},
		{"phone", Phone("+380", "ct_1"), "phone", []string{"ct_1"}, `"+380"`},
		{"step", Step("r_1", 3), "seq", []string{"r_1"}, "Step 3 of run r_1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, webhook.ErrConflict) || tc.err.Field != tc.field || strings.Join(tc.err.IDs, ",") != strings.Join(tc.ids, ",") {
				t.Errorf("got %+v, want a conflict on %s naming %q", tc.err, tc.field, tc.ids)
			}
			if !strings.Contains(tc.err.Reason, tc.phrase) {
				t.Errorf("reason %q does not say %q", tc.err.Reason, tc.phrase)
			}
		})
	}
}
