// Writes testdata/decimal.jsonl: DecimalFormat (en_US) results on this JDK.
// Each line is a JSON array: ["f", pattern, kind, value, result] for format
// (kind d = double given as hex bits, l = long, b = BigInteger) and
// ["p", pattern, text, result] for parse (result "L:<long>@<index>",
// "D:<double bits hex>@<index>" or "ERR"). A result starting with "!" is the
// IllegalArgumentException message. Pattern "@number" etc. names a style instance.
import java.math.BigInteger;
import java.text.*;
import java.util.*;
import com.google.gson.Gson;

public class GenDecimal {
  static Gson g = new Gson();
  static NumberFormat make(String p) {
    Locale us = Locale.US;
    switch (p) {
      case "@number": return NumberFormat.getNumberInstance(us);
      case "@integer": return NumberFormat.getIntegerInstance(us);
      case "@currency": return NumberFormat.getCurrencyInstance(us);
      case "@percent": return NumberFormat.getPercentInstance(us);
    }
    return new DecimalFormat(p, new DecimalFormatSymbols(us));
  }
  public static void main(String[] a) {
    String[] patterns = {"@number", "@integer", "@currency", "@percent",
      "#.00", "#,##0.00", "#,##0.###", "0.###E0", "00.###E0", "##0.#####E0", "0.0E00", "##0.##E0", "#E0", "0E0", ".0E0", "0.E0",
      "00", "000", "#", "#.##", "0.0", "0.00", "#,####", "#,##,###", "#%", "#.#%", "#\u2030", "\u00A4#,##0.00", "\u00A4\u00A4 #,##0.00",
      "#,##0.00;(#,##0.00)", "#,##0.00;-#", "'#'#", "# 'o''clock'", "#.", "0.", "", "-#", "USD #,##0.00", "#,##0.00 kr", "0.00 %",
      "#,##0.0#;#", "+#;-#", "#.##########", "0.0000000000", "#,##0.00;(#)", "000.000", ".00", ".##", "#.0#", "#,##0", "0 '%'",
      "##,##,##0.00", "#.00 kr 0", "'abc'", "abc", "0%%", "#.0#0", "#.00.0", "#,", ",#", "#;#;#", "'", "0E", "E0", "#.#E0#",
      "0;", ";0", "#0.0", "##00", "0#", "#0#"};
    double[] ds = {0.0, -0.0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.135, 1.005, 1.015, 1.045, 0.045, 1234.5, -1234.567, 1234567.891,
      0.0005, 0.00012345, 12345, 1e20, 1e300, 1e-300, 4.9e-324, 1.7976931348623157e308, 0.1, 0.2, 0.3, 2.675, 1.0/3, 2.0/3,
      99.995, 99.9949999, 999999.5, 0.999, 9.5, 10.5, 123456789.123456789, 1e7, 1e-7, 3.14159, 100, 0.07, 1.255, 8.325,
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 9007199254740993.0, 1e16, 5e-5, 0.05, 0.15, 0.25, 0.35};
    long[] ls = {0, 1, -1, 5, 12, 42, 1234567, -1234567, 3000000000L, Long.MAX_VALUE, Long.MIN_VALUE, 100, 999, 1000, -5};
    String[] bs = {"123456789012345678901234567890", "-98765432109876543210", "9223372036854775808"};
    for (String p : patterns) {
      NumberFormat f;
      try { f = make(p); } catch (IllegalArgumentException e) { System.out.println(g.toJson(new Object[]{"f", p, "d", "0", "!" + e.getMessage()})); continue; }
      for (double d : ds) System.out.println(g.toJson(new Object[]{"f", p, "d", Long.toHexString(Double.doubleToRawLongBits(d)), f.format((Object) Double.valueOf(d))}));
      for (long l : ls) System.out.println(g.toJson(new Object[]{"f", p, "l", Long.toString(l), f.format((Object) Long.valueOf(l))}));
      for (String b : bs) System.out.println(g.toJson(new Object[]{"f", p, "b", b, f.format((Object) new BigInteger(b))}));
    }
    String[] ppatterns = {"@number", "@integer", "@currency", "@percent", "#.00", "#,##0.00;(#,##0.00)", "0.###E0", "#%", "'#'#", "USD #"};
    String[] texts = {"10", "10.5", "-5", "+5", "1,234.5", "1,234,567", "1,,234", "12,", "1,234.5.6", "abc", " 42", "42abc", "-0", "0", "1e5", "1E5", "1E-3",
      "1E", "1E-", "1.5E3x", "123456789012345678901234", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
      ".5", "5.", "50%", "-50%", "$1,234.50", "-$1,234.50", "($1,234.50)", "(1,234.50)", "#12", "USD 5", "NaN", "\u221E", "-\u221E", "\u0661\u0662",
      "\uFF11\uFF12", "0.000", "-0.0", "1,2,3", "12,34", "", "-", "E5", "1E99999999999999999999", "00012", "1.23E2"};
    for (String p : ppatterns) {
      NumberFormat f = make(p);
      for (String t : texts) {
        ParsePosition pos = new ParsePosition(0);
        Number n = f.parse(t, pos);
        String r;
        if (n == null) r = "ERR";
        else if (n instanceof Long) r = "L:" + n + "@" + pos.getIndex();
        else r = "D:" + Long.toHexString(Double.doubleToRawLongBits(n.doubleValue())) + "@" + pos.getIndex();
        System.out.println(g.toJson(new Object[]{"p", p, t, r}));
      }
    }
  }
}
