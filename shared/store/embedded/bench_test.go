package embedded_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/webhook"
)

func benchStore(b *testing.B, noSync bool) *embedded.Store {
	b.Helper()
	s, err := embedded.Open(filepath.Join(b.TempDir(), "bench.db"), embedded.Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkCreateWebhook measures a write transaction (record, name and list indexes),
// with and without fsync on commit.
func BenchmarkCreateWebhook(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("noSync=%v", noSync), func(b *testing.B) {
			s := benchStore(b, noSync)
			i := 0
			for b.Loop() {
				w := webhook.Webhook{ID: fmt.Sprintf("w_%08d", i), Name: fmt.Sprintf("wh%d", i), CreatedAt: t0.Add(time.Duration(i))}
				if _, err := s.CreateWebhook(b.Context(), w); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkReads measures a get and a page of 50 from an index with 1000 records.
func BenchmarkReads(b *testing.B) {
	s := benchStore(b, true)
	for i := range 1000 {
		w := webhook.Webhook{ID: fmt.Sprintf("w_%08d", i), Name: fmt.Sprintf("wh%d", i), URL: strings.Repeat("u", 100), CreatedAt: t0.Add(time.Duration(i))}
		if _, err := s.CreateWebhook(b.Context(), w); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("GetWebhook", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetWebhook(b.Context(), "w_00000500"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListWebhooks50", func(b *testing.B) {
		for b.Loop() {
			ws, _, err := s.ListWebhooks(b.Context(), false, store.Page{Limit: 50})
			if err != nil || len(ws) != 50 {
				b.Fatal(len(ws), err)
			}
		}
	})
}
