package velocity_test

import (
	"time"

	"github.com/flowhook/flowhook/shared/velocity/tools"
)

// goldenTools returns the tools the oracle registers, by name: Velocity Tools 2.0
// for en_US in UTC, without Flowhook's Reteno methods.
func goldenTools() map[string]any {
	return tools.Standard(tools.Config{TimeZone: time.UTC, ReferenceOnly: true})
}
