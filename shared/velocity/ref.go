package velocity

import (
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// refType is ASTReference's referenceType.
type refType uint8

const (
	refUnset  refType = iota // "$\!a": neither of the others
	refNormal                // $a
	refFormal                // ${a}
	refQuiet                 // $!a, $!{a}
	refRunt                  // a reference whose token lost its "$"
)

// refNode is a reference ($a, $!a.b.c(), ${a[0]}), as ASTReference.
type refNode struct {
	base
	typ        refType
	root       string
	escaped    bool   // an odd number of backslashes before the "$"
	escPrefix  string // half the backslashes before the "$"
	morePrefix string // text the lexer joined before the "$"
	nullString string // what an unset reference prints
	literal    string // the reference as written (after the engine's rewriting)
	computable bool
	parts      []refPart
	// alt is the Reteno / Velocity 2 alternate value: ${a|'default'}.
	alt node
	// setName is the variable #set assigns when the reference has no parts.
	setName string
}

// refPart is a property, a method call or an index after the root.
type refPart interface {
	apply(st *state, recv any) (any, error)
	name() string // for messages: ".foo", ".foo()", "[0]"
	pos() parse.Pos
}

// refInfo holds what the reference engine works out from a reference's first token
// before rewriting it (ASTReference.getRoot).
type refInfo struct {
	typ                   refType
	root                  string
	escaped               bool
	escPrefix, morePrefix string
	nullString            string // "" until computed, except for "$\!a"
	slashBang             bool
}

func analyseReference(r *parse.ReferenceNode) refInfo {
	t := r.FirstToken()
	img := t.Image
	var ri refInfo
	if strings.Contains(img, `\!`) {
		// "$\!a": prints "$!a"; never computed.
		i := strings.IndexByte(img, '$')
		if i < 0 {
			ri.nullString, ri.root, ri.slashBang = img, img, true
			return ri
		}
		for i < len(img) && img[i] != '\\' {
			i++
		}
		start, count := i, 0
		for i < len(img) && img[i] == '\\' {
			count++
			i++
		}
		ns := img[:start] + img[start:start+count-1] + img[start+count:]
		return refInfo{typ: refUnset, root: ns, nullString: ns, slashBang: true}
	}
	if strings.HasPrefix(img, `\`) {
		i := 0
		for i < len(img) && img[i] == '\\' {
			i++
		}
		ri.escaped = i%2 == 1
		ri.escPrefix = img[:i/2]
		img = img[i:]
	}
	if l := strings.LastIndexByte(img, '$'); l > 0 {
		ri.morePrefix = img[:l]
		img = img[l:]
	}
	next := ""
	if t.Next != nil {
		next = t.Next.Image
	}
	switch {
	case strings.HasPrefix(img, "$!"):
		ri.typ = refQuiet
		if strings.HasPrefix(img, "$!{") {
			ri.root = next
		} else {
			ri.root = img[2:]
		}
	case img == "${":
		ri.typ = refFormal
		ri.root = next
	case strings.HasPrefix(img, "$"):
		ri.typ = refNormal
		ri.root = img[1:]
	default:
		ri.typ = refRunt
		ri.root = img
	}
	return ri
}

func (c *compiler) reference(r *parse.ReferenceNode) node {
	ri := c.refInfos[r]
	n := &refNode{base: c.base(r), typ: ri.typ, root: ri.root, escaped: ri.escaped,
		escPrefix: ri.escPrefix, morePrefix: ri.morePrefix, computable: !ri.slashBang}
	n.literal = parse.Literal(r)
	switch {
	case ri.slashBang:
		n.nullString = ri.nullString
	case ri.typ == refQuiet && !ri.escaped:
		n.nullString = ""
	default:
		n.nullString = n.literal
	}
	for _, p := range r.Parts {
		switch x := p.(type) {
		case *parse.IdentifierNode:
			n.parts = append(n.parts, newPropPart(x.Name(), c.pos(x)))
		case *parse.MethodNode:
			m := &methodPart{id: x.Name.Name(), at: c.pos(x)}
			for _, a := range x.Args {
				m.args = append(m.args, c.node(a))
			}
			n.parts = append(n.parts, m)
		case *parse.IndexNode:
			n.parts = append(n.parts, &indexPart{arg: c.node(x.Arg), at: c.pos(x)})
		}
	}
	if r.Alternate != nil {
		n.alt = c.node(r.Alternate)
	}
	if img := r.FirstToken().Image; len(img) > 0 {
		n.setName = img[1:]
	}
	return n
}

// exec is ASTReference.execute: the reference's value, nil when unset.
func (n *refNode) exec(st *state) (any, error) {
	if n.typ == refRunt {
		return nil, nil
	}
	v, err := st.getVar(n.root)
	if err != nil || v == nil {
		return nil, err
	}
	for _, p := range n.parts {
		v, err = p.apply(st, v)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, nil
		}
	}
	return v, nil
}

// get is exec with the alternate value applied.
func (n *refNode) get(st *state) (any, error) {
	v, err := n.exec(st)
	if err != nil || n.alt == nil {
		return v, err
	}
	use, err := st.alternateApplies(v)
	if err != nil || !use {
		return v, err
	}
	return n.alt.value(st)
}

func (n *refNode) value(st *state) (any, error) {
	if !n.computable {
		return nil, nil
	}
	return n.get(st)
}

func (n *refNode) evaluate(st *state) (bool, error) {
	v, err := n.get(st)
	if err != nil || v == nil {
		return false, err
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	if br, ok := v.(*blockRef); ok {
		// Block.Reference.toString() is null when the block is too deep.
		_, ok, err := st.blockString(br)
		return ok, err
	}
	return true, nil
}

func (n *refNode) lit() string { return n.literal }

// nullText is getNullString: inside a macro, an unset parameter prints as the
// caller wrote the argument.
func (n *refNode) nullText(st *state) string {
	if st.cur != nil {
		if a := st.literalArg(n.nullString); a != nil {
			return a.lit()
		}
	}
	return n.nullString
}

func (n *refNode) render(st *state) error {
	if n.typ == refRunt {
		return st.write(n.root)
	}
	v, err := n.get(st)
	if err != nil {
		return err
	}
	if n.escaped {
		ns := n.nullText(st)
		if v == nil {
			return st.write(n.escPrefix + `\` + ns)
		}
		return st.write(n.escPrefix + ns)
	}
	if v != nil {
		if br, ok := v.(*blockRef); ok {
			done, err := st.renderBlock(br, st.cur)
			if err != nil || done {
				return err
			}
			s, ok, err := st.blockString(br)
			if err != nil {
				return err
			}
			if ok {
				return st.writeValueText(n, s)
			}
			v = nil
		}
	}
	if v != nil {
		if st.cfg.insert != nil {
			return st.insertValue(n, v)
		}
		if err := st.write(n.escPrefix); err != nil {
			return err
		}
		if err := st.write(n.morePrefix); err != nil {
			return err
		}
		before := len(st.out)
		st.out, err = st.appendString(st.out, v)
		if err != nil {
			return err
		}
		return st.wrote(len(st.out) - before)
	}
	if st.cfg.strict && n.typ != refQuiet {
		return &ReferenceError{Name: st.t.name, Line: n.at.Line, Col: n.at.Col, Ref: n.literal}
	}
	ns := n.nullText(st)
	return st.write(n.escPrefix + n.escPrefix + n.morePrefix + ns)
}

// writeValueText writes an already printed value with the reference's prefixes.
func (st *state) writeValueText(n *refNode, s string) error {
	return st.write(n.escPrefix + n.morePrefix + s)
}

// insertValue passes a value through the insertion hook.
func (st *state) insertValue(n *refNode, v any) error {
	out, err := st.cfg.insert(Reference{Text: n.literal, Line: n.at.Line, Col: n.at.Col}, st.resolveDeep(v))
	if err != nil {
		return &RenderError{Name: st.t.name, Line: n.at.Line, Col: n.at.Col, Kind: "VelocityException",
			Msg: "reference " + n.literal + ": " + err.Error(), Err: err}
	}
	return st.write(n.escPrefix + n.morePrefix + out)
}

// resolveDeep returns v with every container the template changed replaced by its
// changed copy, for values leaving the engine (the insertion hook).
func (st *state) resolveDeep(v any) any {
	if st.cow == nil {
		return v
	}
	v = st.resolve(v)
	switch x := v.(type) {
	case []any:
		var out []any
		for i, e := range x {
			r := st.resolveDeep(e)
			if out == nil && !sameValue(r, e) {
				out = append(make([]any, 0, len(x)), x[:i]...)
			}
			if out != nil {
				out = append(out, r)
			}
		}
		if out != nil {
			return out
		}
	case *List:
		return st.resolveDeep(x.Items)
	case *Map:
		var c *Map
		x.Range(func(k string, e any) bool {
			r := st.resolveDeep(e)
			if c == nil && !sameValue(r, e) {
				c = x.Clone()
			}
			if c != nil {
				c.Put(k, r)
			}
			return true
		})
		if c != nil {
			return c
		}
	}
	return v
}

func sameValue(a, b any) bool {
	ka, oka := keyOf(a)
	kb, okb := keyOf(b)
	if oka || okb {
		return oka && okb && ka == kb
	}
	return true
}

// setValue is ASTReference.setValue: #set($a.b.c = v) and #set($a[0] = v).
func (n *refNode) setValue(st *state, v any) error {
	recv, err := st.getVar(n.root)
	if err != nil || recv == nil {
		return err
	}
	last := len(n.parts) - 1
	for _, p := range n.parts[:last] {
		recv, err = p.apply(st, recv)
		if err != nil || recv == nil {
			return err
		}
	}
	switch p := n.parts[last].(type) {
	case *indexPart:
		return p.set(st, recv, v)
	case *propPart:
		return st.setProperty(recv, p.id, v, p.at)
	case *methodPart:
		return st.setProperty(recv, p.id, v, p.at)
	}
	return nil
}

// alternateApplies reports whether an alternate value replaces v: when v is null,
// false, empty or zero, as Velocity 2.1 defines alternates.
func (st *state) alternateApplies(v any) (bool, error) {
	if v == nil {
		return true, nil
	}
	truth, err := st.truthyV2(v)
	return !truth, err
}

// truthyV2 is Velocity 2's conversion of a value to a boolean: false for false,
// empty strings, collections and maps, and zero numbers.
func (st *state) truthyV2(v any) (bool, error) {
	v = st.resolve(v)
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		return x != "", nil
	case int32:
		return x != 0, nil
	case int64:
		return x != 0, nil
	case float64:
		return x != 0, nil
	case float32:
		return x != 0, nil
	}
	c := classOf(v)
	switch {
	case isListClass(c), c == clsStringArray, c == clsObjectArray:
		return len(st.listItems(v)) > 0, nil
	case isMapClass(c):
		return mapLen(v) > 0, nil
	case isNumberClass(c):
		return !isZero(v), nil
	}
	s, err := st.toString(v)
	return s != "", err
}
