package velocity_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowhook/flowhook/shared/velocity"
)

// BenchmarkRender renders the oracle's benchmark templates (testdata/bench, copied
// from /work/shared/velocity-oracle/bench) with the oracle's tools. Each
// sub-benchmark first checks its output against NAME.out.
func BenchmarkRender(b *testing.B) {
	for _, name := range []string{"small", "medium", "large"} {
		b.Run(name, func(b *testing.B) {
			base := filepath.Join("testdata", "bench", name)
			src, err := os.ReadFile(base + ".vm")
			if err != nil {
				b.Fatal(err)
			}
			want, err := os.ReadFile(base + ".out")
			if err != nil {
				b.Fatal(err)
			}
			data, opts := goldenContext(b, base+".json")
			tmpl, err := velocity.Parse(name+".vm", string(src), append(opts, velocity.Velocity17Syntax())...)
			if err != nil {
				b.Fatal(err)
			}
			var out bytes.Buffer
			if err := tmpl.Execute(context.Background(), &out, data); err != nil {
				b.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				b.Fatalf("output differs from %s.out", name)
			}
			ctx := context.Background()
			b.SetBytes(int64(len(want)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := tmpl.Execute(ctx, io.Discard, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
