// Package tools provides the objects Velocity templates call as $mathTool,
// $numberTool, $dateTool, $esc, $sorter/$sortTool, $listTool and $stringUtils: Apache
// Velocity Tools 2.0 (MathTool, NumberTool, DateTool, EscapeTool, SortTool, ListTool)
// and commons-lang 2.6 StringUtils as the reference engine registers them (locale
// en_US), plus Reteno's date methods on $dateTool and $esc.json.
//
// Each tool implements velocity.Object. Calls follow Velocity 1.7's rules for Java
// methods: an argument must fit the parameter type (null fits any object type, an
// Integer an int), otherwise the call has no method and the engine prints the
// reference's source; a method that returns null also prints the source ($! prints
// nothing); an exception Java would throw is returned as a *velocity.Throwable and
// ends the render as a MethodInvocationException. Results are the engine's value
// types (int32 Integer, int64 Long, float64 Double, string...) or the Java objects
// of this package (*Date, *Calendar, Locale, *TimeZone, *Class).
//
// Where the reference's behaviour cannot be reproduced, the differences are:
//
//   - Only en_US is supported; a Locale argument is accepted but always en_US.
//   - Object.toString of a tool prints a fixed hash instead of Java's identity hash
//     (both are eight hex digits).
//   - Reteno's date methods and $esc.json do not exist in the reference; the rules
//     of the date methods are in reteno.go, of json at JSON. Config.ReferenceOnly
//     leaves them out.
//   - ListTool.set does not change lists that come from input data.
//   - StringUtils case mapping, see StringUtils.
//   - Time zones come from Go's tz database with Java's display names (see
//     internal/javafmt); Java's older rules for some zones may differ in the past.
//
// Formatting and parsing use internal/javafmt, which reproduces Java 17's
// Double.toString, DecimalFormat and SimpleDateFormat and caches compiled patterns.
package tools
