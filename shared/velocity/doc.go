// Package velocity renders Apache Velocity templates as Apache Velocity 1.7 does,
// byte for byte, plus the few things Reteno documents from Velocity 2.
//
// # Use
//
//	t, err := velocity.Parse("welcome", src)            // once; t is immutable
//	err = t.Execute(ctx, w, data, velocity.WithInsert(escape))
//
// A Template may be executed by any number of goroutines at once. Data is a map of
// top-level variables whose values are JSON-shaped (see the value model in
// value.go and DecodeJSON) or Objects such as the tools of package tools.
//
// Options, given to Parse or Execute (Execute's win):
//
//   - WithInsert: the insertion hook, called with every non-null value a reference
//     writes (with the reference's text and position); its result is written
//     instead. It is how values are escaped for where they land. Literal template
//     text, the source text of an unset reference and the output of #define
//     blocks do not go through it (the block's own references do).
//   - StrictReferences: a non-silent reference whose value is null ($x, ${x},
//     $x.y, $x.m()) fails the render with a *ReferenceError naming it and its
//     position, instead of printing its source. $!x stays empty; #if is unchanged.
//   - WithResolver: a Resolver consulted for top-level names the data and the
//     template's own variables lack; NewFieldResolver makes one that finds contact
//     fields without regard to case ($firstName finds FIRSTNAME).
//   - WithLimits: bounds on #foreach iterations (all loops of a render together,
//     default 1,000,000), range size (1,000,000), bytes produced (output,
//     strings built and lists or maps printed as text, 16 MiB; a list grown by
//     addAll counts 8 bytes an element; the tools refuse to build a string longer
//     than the default), macro nesting (20, Velocity's own, reported as its
//     MacroOverflowException; other values give a *LimitError), macro calls per
//     render (1,000,000), #evaluate nesting (10) and parse nesting (1000).
//     Exceeding one ends the render with a *LimitError. The context passed to
//     Execute is checked at loop iterations and macro calls.
//   - Velocity17Syntax: parse exactly Velocity 1.7's syntax (no ${a|'b'}).
//
// Errors: a syntax error is a *ParseError "NAME:LINE:COL: message"; a failing
// render is a *RenderError with the position, the reference engine's exception
// class (Kind) and, for a Java exception thrown by a method, its class (Class);
// also *ReferenceError and *LimitError. A bug of the engine's (a Go panic during a
// render) fails that render with an *InternalError rather than the process. All
// work with errors.As.
//
// The data is never modified. #set writes to the render's own variables (which
// hide the data's). A template that changes a list or map of the data
// ($list.add(x), $map.put(k, v), #set($map.k = v)) changes a copy made on that
// container's first change and used by every later read in the same render, as
// in Java; renders that change nothing copy nothing.
//
// # How it works
//
// Package parse reproduces Velocity 1.7's JavaCC token manager and grammar, so
// text that only looks like Velocity (a "$" before a digit, "#" in CSS colours,
// escapes, comments) becomes the same tokens, and whitespace around directives
// (a #set line, #end followed by a newline) behaves the same. The tree is
// compiled once into executable nodes; each render has its own state. References
// resolve properties and methods as Velocity's UberspectImpl does (getFoo,
// getfoo, get("foo") on maps, isFoo), choosing Java overloads among the full
// signature lists of the JDK classes values have (jsigs.go), with Java's
// conversions (an Integer fits int, long, double; a Long does not fit int; a
// String never becomes a number). Arithmetic follows Velocity's MathUtils
// (Integer overflow widens to Long, then BigInteger; a double operand makes a
// Double; division by zero gives null), comparisons its ASTEQNode (numbers by
// value, objects of related classes with equals, anything else by toString()).
// Values print as Java prints them (Double.toString through internal/javafmt,
// [a, b] lists, {k=v} maps).
//
// Allocations: a render allocates its state and its output, and otherwise only
// what the template makes: a number it computes (one 8-byte box, as Java boxes a
// Double, for every result that is not an integer from 0 to 255), a string a method
// or an escape changed, a list or map literal, the scope of each #foreach entered.
// References, properties, map and list reads, conditions, #set of existing values,
// string literals and escapes that change nothing allocate nothing per item
// (TestAllocsDoNotGrowWithData). On the large benchmark template (200 items with a
// computed line price and running total, escaped names, inner #foreach loops) that
// is about 550 allocations per render, nearly all computed numbers, changed strings
// and loop scopes.
//
// # Checking it
//
// testdata/golden holds templates rendered by the reference (Velocity 1.7 and
// Velocity Tools 2.0 on the JDK, /work/shared/velocity-oracle); TestGolden
// compares outputs byte for byte and errors by exception class and line.
// testdata/reteno holds hand-written expectations for what only Flowhook's
// dialect renders. parse's TestReferenceDumps compares token chains and trees with
// the reference parser's. FuzzParse (package parse) and FuzzExecute run briefly in
// make test; run them longer with
//
//	go test ./shared/velocity/parse -run '^$' -fuzz FuzzParse -fuzztime 30m
//	go test ./shared/velocity -run '^$' -fuzz FuzzExecute -fuzztime 30m
//
// and compare with the reference on any directory of templates with the CLI:
//
//	go run ./infra/velocity --batch DIR1; /work/shared/velocity-oracle/render.sh --batch DIR2
//
// infra/velocity/bench.sh measures rendering against the JVM's.
//
// # Differences from Apache Velocity 1.7
//
// Where this package knowingly differs from the reference, and why:
//
//   - ${a|'default'} and $!{a|$b}: alternate values (Velocity 2.1, documented by
//     Reteno) are accepted; 1.7 rejects them as a syntax error, as this package
//     does with Velocity17Syntax. The alternate is a reference or a literal and is
//     used when the value is null, false, empty (string, list, map) or zero, as
//     Velocity 2.1 defines it. Only the braced form has an alternate.
//   - Contact fields through a Resolver and the insertion hook are Flowhook's; the
//     hook is not called for null values nor for #define blocks (Velocity's
//     ReferenceInsertionEventHandler sees the null and the Block.Reference).
//   - StrictReferences only changes what an unset reference prints. Velocity's
//     runtime.references.strict also fails on unset references in #set, method
//     arguments and elsewhere.
//   - Limits: where Velocity would loop, allocate or recurse until the JVM fails
//     (a huge range, runaway #evaluate or macro recursion beyond the default
//     depth, deeply nested text), the render ends with a *LimitError, and parsing
//     text nested more than ParseDepth deep is a *ParseError.
//   - #include and #parse fail with ResourceNotFoundException for any non-null
//     argument: Flowhook templates are self-contained and there is no loader. A
//     null argument renders as in the reference.
//   - Regular expressions (matches, replaceAll, replaceFirst, split) run on Go's
//     RE2 after translating Java's syntax (\Q..\E, \h, \R, \uXXXX). RE2 has no
//     lookahead, lookbehind, backreferences in the pattern, atomic groups,
//     possessive quantifiers or class intersections: such a pattern fails the
//     render with a message naming the feature. "$" follows RE2 (Java's "$" also
//     matches before a final line terminator). "." is Java's, which matches no
//     line terminator (\n, \r, \u0085, \u2028, \u2029), except in a pattern that
//     turns DOTALL or UNIX_LINES on inline ((?s), (?d)), where it is RE2's.
//     Replacement strings use Java's $n, ${name} and backslash rules; matches
//     are found one after another as java.util.regex.Matcher.find finds them,
//     empty matches included.
//   - Identity: Java prints arrays and objects without toString() with an identity
//     hash ([Ljava.lang.String;@1b6d3586), which differs on every JVM run; this
//     package prints a fixed one. Object.hashCode of such objects likewise.
//   - Maps have string keys in this package's value model. A map literal or put
//     with a key of another class (an Integer, null) stores it under an encoded
//     key, so get(1) and get('1') stay apart and the map prints as Java's does;
//     only getClass() of such a key and java.util.HashMap iteration order for it
//     can differ.
//   - subList returns a copy, not a view: changing it does not change the list.
//   - Java methods: every public method of the JDK classes template values have
//     is known (so overload choice and "wrong number of arguments" are Java's),
//     and the ones templates use are implemented; calling one that is not (such
//     as String.chars(), List.iterator(), the stream methods, String.format with
//     the %g %a %t conversions) fails the render with a message naming it, where
//     Java would return an object that prints with an identity hash.
//   - String.toUpperCase, toLowerCase and Character tests use Go's Unicode tables
//     (Unicode 15) with Java's special cases for ß, İ and the final sigma; the JDK
//     17 tables are Unicode 13, so characters added since may map differently.
//   - $mathTool.pow returns the correctly rounded power. The JDK's Math.pow is
//     within one unit in the last place and on rare arguments rounds the other
//     way (pow(1.027245218756935, 0.6758778453832067) prints 1.0183340953662494
//     there, 1.0183340953662492 here); about 1 in 2,000 random arguments differ,
//     where Go's math.Pow differed in one of three.
//   - BigDecimal, which only appears when a BigInteger meets a double in
//     arithmetic, supports printing, comparison and +, -, *, / (with the
//     reference's ROUND_HALF_DOWN at the dividend's scale).
//   - A #foreach over a collection changed in its body fails with
//     ConcurrentModificationException at the next step after an element is added
//     or removed, as Java's fail-fast iterators do; a map iteration walks the keys
//     present when the loop began.
//   - Lone surrogates: a Java String may hold half of a surrogate pair
//     (substring or charAt cutting an emoji, split("")), which Java writes to
//     UTF-8 output as "?". Go strings hold text, so such a half becomes "?" as
//     soon as it is cut: it prints as in Java, but it no longer joins its other
//     half again, equals "?" and escapes as "?" ($esc.html gives &#55357; there).
//   - Messages: error positions (line and column) and exception classes are the
//     reference's; the messages themselves are written for marketers and differ
//     from Velocity's.
//   - Whatever Velocity only logs (invalid references, nulls in #set, bad
//     comparisons) leaves no trace here either; there is no log.
package velocity
