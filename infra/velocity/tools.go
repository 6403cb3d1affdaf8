package main

import (
	"time"

	"github.com/flowhook/flowhook/shared/velocity/tools"
)

// tools returns the tools the oracle registers, by name, for en_US and UTC, with tz
// as the contact's time zone. Reteno's date methods are there only with reteno.
func toolsFor(tz string, reteno bool) map[string]any {
	return tools.Standard(tools.Config{TimeZone: time.UTC, ContactTimeZone: tz, ReferenceOnly: !reteno})
}
