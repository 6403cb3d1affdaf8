package velocity

import (
	"strings"
)

// FieldResolver resolves top-level names to the fields of a map without regard to
// case, the way contact fields are visible in templates ($firstName finds
// FIRSTNAME). An exact match wins over a case-insensitive one; among fields that
// differ only in case, the first in the map's order wins.
type FieldResolver struct {
	exact map[string]any
	fold  map[string]any
}

// NewFieldResolver returns a resolver over the fields of m, a *Map or map[string]any.
func NewFieldResolver(m any) *FieldResolver {
	r := &FieldResolver{exact: map[string]any{}, fold: map[string]any{}}
	rangeMap(m, func(k string, v any) bool {
		r.exact[k] = v
		lk := strings.ToLower(k)
		if _, ok := r.fold[lk]; !ok {
			r.fold[lk] = v
		}
		return true
	})
	return r
}

// Resolve implements Resolver.
func (r *FieldResolver) Resolve(name string) (any, bool) {
	if v, ok := r.exact[name]; ok {
		return v, true
	}
	v, ok := r.fold[strings.ToLower(name)]
	return v, ok
}
