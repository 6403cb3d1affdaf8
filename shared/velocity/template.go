package velocity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// Template is a parsed template. It is immutable: one Template may be executed by
// many goroutines at once.
type Template struct {
	name   string
	tree   *parse.Tree
	root   []node
	macros map[string]*macroDef
	cfg    config
}

// Reference describes the reference whose value the insertion hook receives.
type Reference struct {
	// Text is the reference as written in the template, such as "$data.name".
	Text string
	// Line and Col locate it in the template.
	Line, Col int
}

// InsertFunc is the insertion hook: it is called with every non-null value a
// reference writes to the output and returns the text to write instead, for
// example the value escaped for the place it lands (JSON string, XML, URL query).
// Literal template text never goes through it, nor does the source text an unset
// reference prints, nor the output of a #define block (whose own references do go
// through it). An error aborts the render.
type InsertFunc func(ref Reference, value any) (string, error)

// Resolver supplies top-level variables that are not in the data, such as contact
// fields looked up without regard to case. It is consulted only after the data and
// the template's own #set variables.
type Resolver interface {
	Resolve(name string) (any, bool)
}

// Limits bound what a render may do. Zero fields take the defaults below.
type Limits struct {
	// LoopIterations bounds the #foreach iterations of one render, all loops
	// together. Default 1,000,000.
	LoopIterations int64
	// RangeSize bounds the length of a range [m..n]. Default 1,000,000.
	RangeSize int64
	// OutputBytes bounds the bytes one render produces: its output and the
	// strings it builds (interpolation, #define, string methods). Default 16 MiB.
	OutputBytes int64
	// MacroDepth bounds nested macro calls. Default 20, Velocity 1.7's own
	// velocimacro.max.depth, which fails with a MacroOverflowException.
	MacroDepth int
	// MacroCalls bounds the macro calls of one render (a macro calling itself
	// twice is exponential within the depth limit). Default 1,000,000.
	MacroCalls int64
	// EvaluateDepth bounds nested #evaluate. Default 10.
	EvaluateDepth int
	// ParseDepth bounds the nesting of directives, references and expressions in
	// the template text. Default 1000.
	ParseDepth int
}

// Default limits.
const (
	DefaultLoopIterations = 1_000_000
	DefaultRangeSize      = 1_000_000
	DefaultOutputBytes    = 16 << 20
	DefaultMacroDepth     = 20
	DefaultMacroCalls     = 1_000_000
	DefaultEvaluateDepth  = 10
	DefaultParseDepth     = 1000
)

func (l Limits) withDefaults() Limits {
	if l.LoopIterations <= 0 {
		l.LoopIterations = DefaultLoopIterations
	}
	if l.RangeSize <= 0 {
		l.RangeSize = DefaultRangeSize
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = DefaultOutputBytes
	}
	if l.MacroDepth <= 0 {
		l.MacroDepth = DefaultMacroDepth
	}
	if l.MacroCalls <= 0 {
		l.MacroCalls = DefaultMacroCalls
	}
	if l.EvaluateDepth <= 0 {
		l.EvaluateDepth = DefaultEvaluateDepth
	}
	if l.ParseDepth <= 0 {
		l.ParseDepth = DefaultParseDepth
	}
	return l
}

type config struct {
	insert   InsertFunc
	resolver Resolver
	strict   bool
	limits   Limits
	// velocity17 turns off the syntax Flowhook adds to Velocity 1.7.
	velocity17 bool
}

// Option configures Parse and Execute. Options given to Execute override those
// given to Parse for that execution.
type Option func(*config)

// WithInsert sets the insertion hook.
func WithInsert(f InsertFunc) Option { return func(c *config) { c.insert = f } }

// WithResolver sets the resolver of top-level names missing from the data.
func WithResolver(r Resolver) Option { return func(c *config) { c.resolver = r } }

// StrictReferences makes a non-silent reference ($x, ${x}, $x.y, $x.m()) whose
// value is null an error (*ReferenceError) instead of printing its source text.
// Silent references ($!x) still print nothing. Conditions are not affected: an
// unset reference is false in #if.
func StrictReferences(on bool) Option { return func(c *config) { c.strict = on } }

// WithLimits sets the limits; zero fields keep their defaults.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// Velocity17Syntax makes Parse accept exactly the syntax of Apache Velocity 1.7,
// without the alternate values ${a|'default'} that Flowhook (after Reteno and
// Velocity 2) accepts by default: there, as in 1.7, they are syntax errors.
// It matters to Parse only.
func Velocity17Syntax() Option { return func(c *config) { c.velocity17 = true } }

// ParseError is a syntax error in a template, or an error Velocity 1.7 reports
// while preparing the parsed template (a malformed #foreach, #macro or #define).
type ParseError struct {
	Name      string
	Line, Col int
	Msg       string
	// Kind is the reference engine's exception class: ParseErrorException,
	// or VelocityException / TemplateInitException for preparation errors.
	Kind string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// RenderError is an error that aborted a render: a Java exception thrown by a
// method, an invalid operation, an index out of range, the insertion hook's error,
// a cancelled context.
type RenderError struct {
	Name      string
	Line, Col int
	// Kind is the reference engine's exception class for this failure, such as
	// MethodInvocationException or VelocityException.
	Kind string
	// Class is the Java exception a method threw, such as
	// java.lang.StringIndexOutOfBoundsException, or "".
	Class string
	Msg   string
	Err   error
}

func (e *RenderError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

func (e *RenderError) Unwrap() error { return e.Err }

// ReferenceError reports, in strict mode, a reference whose value is null.
type ReferenceError struct {
	Name      string
	Line, Col int
	// Ref is the reference as written, such as "$TOWN" or "$data.city".
	Ref string
}

func (e *ReferenceError) Error() string {
	return fmt.Sprintf("%s:%d:%d: reference %s at %d:%d is not set", e.Name, e.Line, e.Col, e.Ref, e.Line, e.Col)
}

// InternalError reports a bug of the engine that a render ran into (a Go panic): the
// render fails with it instead of the process crashing. Please report it with the
// template.
type InternalError struct {
	Name string
	// Panic is the panic's value; Stack the goroutine's stack where it was recovered.
	Panic, Stack string
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("%s: internal error of the template engine (please report it with the template): %s", e.Name, e.Panic)
}

// LimitError reports a render that exceeded one of its Limits.
type LimitError struct {
	Name      string
	Line, Col int
	// Limit names the limit: "loop iterations", "range size", "output bytes",
	// "macro depth", "macro calls" or "evaluate depth".
	Limit string
	Max   int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s:%d:%d: the template exceeds its %s limit (%d)", e.Name, e.Line, e.Col, e.Limit, e.Max)
}

// Parse parses a template. name is used in error messages.
func Parse(name, src string, opts ...Option) (*Template, error) {
	t := &Template{name: name}
	for _, o := range opts {
		o(&t.cfg)
	}
	lim := t.cfg.limits.withDefaults()
	tree, err := parse.Parse(name, src, &parse.Options{MaxDepth: lim.ParseDepth, Alternates: !t.cfg.velocity17})
	if err != nil {
		return nil, parseErrorOf(err)
	}
	t.tree = tree
	c := newCompiler(name, t, nil)
	root, err := c.compileRoot(tree)
	if err != nil {
		return nil, err
	}
	t.root = root
	t.macros = c.macros
	return t, nil
}

func parseErrorOf(err error) error {
	var pe *parse.Error
	if errors.As(err, &pe) {
		return &ParseError{Name: pe.Name, Line: pe.Line, Col: pe.Col, Msg: pe.Msg, Kind: pe.Kind}
	}
	return err
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// Execute renders the template with data to w. Data values are JSON-shaped (see
// DecodeJSON) or Objects; they are never modified: #set writes to the render's own
// variables, and a template that changes a list or map of the data ($list.add(x),
// $map.put(k, v)) changes a copy made on the first write, which later reads in the
// same render see, as in Java. Nothing is copied when nothing is changed.
//
// On error, the output written so far has been flushed to w.
func (t *Template) Execute(ctx context.Context, w io.Writer, data map[string]any, opts ...Option) error {
	cfg := t.cfg
	for _, o := range opts {
		o(&cfg)
	}
	cfg.limits = cfg.limits.withDefaults()
	st := newState(ctx, t, w, data, &cfg)
	panicked, err := runGuarded(st)
	if panicked {
		return err // the state is dropped, not reused
	}
	if ferr := st.flush(); ferr != nil && err == nil {
		err = ferr
	}
	st.release()
	return err
}

// runGuarded runs the render; a bug of the engine's (a Go panic) fails this render
// with an *InternalError instead of the process serving others (a Lambda handling a
// batch, the local stack).
func runGuarded(st *state) (panicked bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			panicked, err = true, &InternalError{Name: st.t.name, Panic: fmt.Sprint(v), Stack: string(debug.Stack())}
		}
	}()
	return false, st.run()
}
