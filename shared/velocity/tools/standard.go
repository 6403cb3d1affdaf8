package tools

import (
	"time"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// Config configures the tools of one render.
type Config struct {
	// Locale is the tools' locale; only "en_US" (the reference's) is supported, and
	// "" means it.
	Locale string
	// TimeZone is the organisation's zone: the DateTool's zone and what the reference
	// engine's JVM default zone stands for. Its name must be a tz database ID known
	// to Java ("Europe/Kyiv", "UTC"); a location Java does not know by name is used
	// as a fixed offset. nil means UTC.
	TimeZone *time.Location
	// ContactTimeZone is the contact's zone as a Java zone ID ("Europe/Kyiv",
	// "GMT+3"), used by $dateTool.formatInContactTimezone; "" means TimeZone.
	ContactTimeZone string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ReferenceOnly leaves out what the reference engine lacks, Reteno's methods on
	// $dateTool and $esc.json, so that the tools are exactly the reference's (for
	// comparing outputs with it).
	ReferenceOnly bool
}

// NewDateTool returns the $dateTool of cfg: Velocity Tools' DateTool with Reteno's
// methods unless cfg.ReferenceOnly.
func NewDateTool(cfg Config) *DateTool {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	t := &DateTool{zone: zoneOf(cfg.TimeZone, now()), now: now, reteno: !cfg.ReferenceOnly}
	if cfg.ContactTimeZone != "" {
		t.contact = javafmt.LoadZone(cfg.ContactTimeZone)
	}
	return t
}

// Shared instances of the stateless tools.
var (
	mathTool            = NewMathTool()
	numberTool          = NewNumberTool()
	escapeTool          = NewEscapeTool()
	referenceEscapeTool = &EscapeTool{noJSON: true}
	sortTool            = NewSortTool()
	listTool            = NewListTool()
	stringUtils         = NewStringUtils()
)

// Standard returns the tools under the names the reference engine registers them:
// mathTool, numberTool, dateTool, esc, sorter and sortTool (the same SortTool),
// listTool and stringUtils. Only the DateTool depends on cfg; the others are shared,
// stateless values. The map is new on each call and may be changed by the caller.
func Standard(cfg Config) map[string]any {
	esc := escapeTool
	if cfg.ReferenceOnly {
		esc = referenceEscapeTool
	}
	return map[string]any{
		"mathTool":    mathTool,
		"numberTool":  numberTool,
		"dateTool":    NewDateTool(cfg),
		"esc":         esc,
		"sorter":      sortTool,
		"sortTool":    sortTool,
		"listTool":    listTool,
		"stringUtils": stringUtils,
	}
}
