package embedded_test

import (
	"path/filepath"
	"testing"

	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/store/storetest"
)

var _ storetest.Store = (*embedded.Store)(nil)

// open returns a store in a fresh file, closed when t ends.
func open(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "flowhook.db"), embedded.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}
