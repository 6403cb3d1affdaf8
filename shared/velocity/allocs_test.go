package velocity_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/velocity"
)

// TestAllocsDoNotGrowWithData renders each template over 50 and over 200 items and
// requires about the same number of allocations per render (fewer than one more per
// ten extra items, which leaves room for the runtime's and the race detector's own
// allocations; one per item would be 150 more): the engine's own machinery
// (references, properties, methods, conditions, loops, #set, tools whose result is the
// unchanged argument) costs nothing per item. What does grow is listed in doc.go
// (Allocations): computed numbers, strings a method or escape changed, and the scope of
// a #foreach entered once per item.
func TestAllocsDoNotGrowWithData(t *testing.T) {
	cases := []struct{ name, src string }{
		{"references and properties", `#foreach($i in $items)$i.name $i.url $!i.missing ${i.sku}#end`},
		{"map get and java methods", `#foreach($i in $items)$i.get('sku') $i.name.length() $i.tags.size() $i.tags.get(0)#end`},
		{"conditions and comparisons", `#foreach($i in $items)#if($i.qty > 3 && $i.in_stock)bulk#elseif(!$i.in_stock)out#{else}-#end#end`},
		{"loop counters", `#foreach($i in $items)$foreach.count $velocityCount $foreach.index#if($foreach.hasNext),#end#end`},
		{"set", `#foreach($i in $items)#set($n = $i.name)#set($q = $i.qty)$n $q#end`},
		{"escape tool on clean strings", `#foreach($i in $items)$esc.html($i.name) $esc.xml($i.sku) $esc.url($i.name)#end`},
		{"small integer arithmetic", `#foreach($i in $items)#set($q = $i.qty + 1)$q#end`},
		{"alternate values", `#foreach($i in $items)${i.nickname|$i.name} $!{i.missing|'none'}#end`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := velocity.Parse("allocs.vm", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			few, many := rendersAllocs(t, tmpl, 50), rendersAllocs(t, tmpl, 200)
			if many-few >= 15 {
				t.Errorf("allocations per render: %v over 50 items, %v over 200", few, many)
			}
		})
	}
}

func rendersAllocs(t *testing.T, tmpl *velocity.Template, n int) float64 {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"items": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name": "EcoShoes%d", "sku": "SKU-%05d", "url": "https://shop.example.com/p/%d", "qty": %d, "in_stock": %t, "tags": ["spring", "sale"]}`,
			i, i, i, i%7, i%5 != 0)
	}
	b.WriteString("]}")
	v, err := velocity.DecodeJSON(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	items, _ := v.(*velocity.Map).Get("items")
	data := map[string]any{"items": items}
	for k, tool := range goldenTools() {
		data[k] = tool
	}
	ctx := context.Background()
	if err := tmpl.Execute(ctx, io.Discard, data); err != nil {
		t.Fatal(err)
	}
	return testing.AllocsPerRun(20, func() {
		if err := tmpl.Execute(ctx, io.Discard, data); err != nil {
			t.Fatal(err)
		}
	})
}
