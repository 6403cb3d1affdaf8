package velocity_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/tools"
)

// retenoContext builds a render's data as testdata/reteno/README.md describes:
// "contact" is the contact (fields visible case-insensitively, timeZone its zone),
// "data" holds $data entries, every other key is an event param; $data merges
// data, params and contact fields, the earlier winning; the tools are Flowhook's,
// with the clock frozen at 2024-03-01T10:00:00Z.
func retenoContext(t *testing.T, path string) (map[string]any, []velocity.Option) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := velocity.DecodeJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	in := v.(*velocity.Map)
	fields := velocity.NewMap(4)
	contactTZ := ""
	var contact *velocity.Map
	if c, ok := in.Get("contact"); ok {
		contact = c.(*velocity.Map)
		contact.Range(func(k string, v any) bool {
			if k == "timeZone" {
				contactTZ, _ = v.(string)
			} else {
				fields.Put(k, v)
			}
			return true
		})
	}
	dataMap := velocity.NewMap(8)
	if d, ok := in.Get("data"); ok {
		d.(*velocity.Map).Range(func(k string, v any) bool {
			dataMap.Put(k, v)
			return true
		})
	}
	params := map[string]any{}
	in.Range(func(k string, v any) bool {
		if k != "contact" && k != "data" {
			params[k] = v
			if _, ok := dataMap.Get(k); !ok {
				dataMap.Put(k, v)
			}
		}
		return true
	})
	fields.Range(func(k string, v any) bool {
		if _, ok := dataMap.Get(k); !ok {
			dataMap.Put(k, v)
		}
		return true
	})
	frozen := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	data := tools.Standard(tools.Config{TimeZone: time.UTC, ContactTimeZone: contactTZ,
		Now: func() time.Time { return frozen }})
	for k, v := range params {
		data[k] = v
	}
	data["data"] = dataMap
	if contact != nil {
		data["contact"] = contact
	}
	return data, []velocity.Option{velocity.WithResolver(velocity.NewFieldResolver(fields))}
}

// TestReteno renders testdata/reteno/NAME.vm, the cases only Flowhook's dialect
// can render, and compares with the hand-written NAME.want.
func TestReteno(t *testing.T) {
	vms, err := filepath.Glob(filepath.Join("testdata", "reteno", "*.vm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vms) == 0 {
		t.Skip("no Reteno cases")
	}
	for _, vm := range vms {
		base := strings.TrimSuffix(vm, ".vm")
		t.Run(filepath.Base(base), func(t *testing.T) {
			src, err := os.ReadFile(vm)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(base + ".want")
			if err != nil {
				t.Fatal(err)
			}
			data, opts := retenoContext(t, base+".json")
			tmpl, err := velocity.Parse(filepath.Base(vm), string(src), opts...)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := tmpl.Execute(context.Background(), &out, data); err != nil {
				t.Fatalf("%v (output so far %q)", err, out.String())
			}
			if out.String() != string(want) {
				t.Errorf("got  %q\nwant %q", out.String(), want)
			}
		})
	}
}
