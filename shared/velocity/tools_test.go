package velocity_test

// goldenTools returns the tools the oracle registers, by name.
func goldenTools() map[string]any {
	return map[string]any{}
}
