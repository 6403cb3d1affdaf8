package javafmt

import "sync"

// cache is a small concurrency-safe cache of compiled patterns, bounded to 2×size
// entries: when the current generation fills up it becomes the previous one and the
// one before is dropped, so patterns in steady use stay cached (they are promoted
// on each hit) while one-off patterns age out.
type cache[V any] struct {
	mu   sync.RWMutex
	size int
	cur  map[string]V
	prev map[string]V
}

func newCache[V any](size int) *cache[V] {
	return &cache[V]{size: size, cur: make(map[string]V, size)}
}

func (c *cache[V]) get(key string, compile func(string) V) V {
	c.mu.RLock()
	v, ok := c.cur[key]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.RLock()
	v, ok = c.prev[key]
	c.mu.RUnlock()
	if !ok {
		v = compile(key) // outside the lock: compile may use other caches
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[key]; ok {
		return v
	}
	if len(c.cur) >= c.size {
		c.prev = c.cur
		c.cur = make(map[string]V, c.size)
	}
	c.cur[key] = v
	return v
}

type compiledDecimal struct {
	f   *DecimalFormat
	err error
}

var decimalCache = newCache[compiledDecimal](256)

// CachedDecimalFormat is NewDecimalFormat through a bounded cache shared by the
// process; the result must not be modified (DecimalFormat has no setters).
func CachedDecimalFormat(pattern string) (*DecimalFormat, error) {
	c := decimalCache.get(pattern, func(p string) compiledDecimal {
		f, err := NewDecimalFormat(p)
		return compiledDecimal{f, err}
	})
	return c.f, c.err
}
