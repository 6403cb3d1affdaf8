package secrets

// ResetCacheForTest drops m's cached values, for benchmarks of cold reads.
func (m *Manager) ResetCacheForTest() { m.cache.Reset() }
