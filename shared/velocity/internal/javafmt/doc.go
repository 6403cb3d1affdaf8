// Package javafmt formats and parses numbers and dates exactly as the Java 17 class
// library of the reference engine does: Double.toString and Float.toString,
// the (int) and (long) casts of a double,
// java.text.DecimalFormat and java.text.SimpleDateFormat with en_US symbols.
//
// Templates are rendered by Flowhook and by the reference engine (Apache Velocity 1.7
// with Velocity Tools 2.0 on OpenJDK 17) and the outputs must match byte for byte, so
// the rules here are Java's, including the places where Java is surprising. Expected
// values in the tests were produced by Java on the oracle machine.
package javafmt
