package main

// tools returns the tools the oracle registers, by name, configured for en_US and
// UTC, with tz as the contact's time zone.
func tools(tz string) map[string]any {
	_ = tz
	return map[string]any{}
}
