// Writes testdata/dates.jsonl: SimpleDateFormat (Locale.US, lenient) results on this JDK.
//   ["f", pattern, zone, millis, result]         SimpleDateFormat.format ("!msg" = IllegalArgumentException)
//   ["c", zone, millis, [17 Calendar fields], weekYear, Date.toString with that default zone]
//   ["p", pattern, zone, text, "millis@index" | "ERR"]   parse, two-digit years from 1945-06-15T12:00Z
//   ["s", dateStyle, timeStyle, zone, millis, result]  DateFormat style instances (-1 = none)
import java.text.*;
import java.util.*;
import com.google.gson.Gson;

public class GenDates {
  static Gson g = new Gson();
  static final long NOW = 1749988800000L; // 2025-06-15T12:00:00Z
  public static void main(String[] a) throws Exception {
    String[] zones = {"UTC", "GMT+03:00", "Europe/Kyiv", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Dublin",
      "America/Sao_Paulo", "Africa/Casablanca", "Etc/GMT+3", "PST", "Asia/Kathmandu", "Europe/Moscow", "GMT"};
    long[] ms = {0L, 1495479520000L, 1495411200000L, 1609459200000L, -1L, 86399999L, -62135769600001L, -12219292800001L, -12219292800000L,
      -100000000000000L, 951782400000L, 1710052200000L, 1710054000000L, 1730613600000L, 1730617200000L, 1735689599999L, 1704067200000L,
      1356998400000L, 1230768000000L, 253402300799999L, -62198755200000L, 1262304000000L, 1293840000000L, 1451606400000L, 1483228800000L,
      1514678400000L, 1546214400000L, 1577750400000L, 1711846800000L, 1698541200000L, 1300000000000L, 946684800000L, 4102444800000L};
    String[] patterns = {"G yy yyy yyyy Y YY YYYY M MM MMM MMMM L LL LLL LLLL w ww W D DDD d dd F E EEE EEEE u a",
      "H HH k kk K KK h hh m mm s ss S SS SSS SSSS", "z zzzz Z X XX XXX", "yyyyy y YYYYY", "'at' HH 'o''clock' ''",
      "dd.MM.yyyy HH:mm:ss", "EEE, d MMM yyyy HH:mm:ss Z", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "MMMM", "LLLL", "\u00e9t\u00e9 HH\u00e9", "XXXX", "Q", "'unterminated"};
    for (String p : patterns) {
      SimpleDateFormat f;
      try { f = new SimpleDateFormat(p, Locale.US); } catch (IllegalArgumentException e) { System.out.println(g.toJson(new Object[]{"f", p, "UTC", "0", "!" + e.getMessage()})); continue; }
      for (String z : zones) {
        f.setTimeZone(TimeZone.getTimeZone(z));
        for (long m : ms) System.out.println(g.toJson(new Object[]{"f", p, z, Long.toString(m), f.format(new Date(m))}));
      }
    }
    for (String z : zones) {
      TimeZone.setDefault(TimeZone.getTimeZone(z));
      for (long m : ms) {
        GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone(z), Locale.US);
        c.setTimeInMillis(m);
        int[] fs = new int[17];
        for (int i = 0; i < 17; i++) fs[i] = c.get(i);
        System.out.println(g.toJson(new Object[]{"c", z, Long.toString(m), fs, c.getWeekYear(), new Date(m).toString()}));
      }
    }
    TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    for (int ds = -1; ds < 4; ds++) for (int ts = -1; ts < 4; ts++) for (String z : new String[]{"UTC", "America/New_York"}) {
      DateFormat f = ds < 0 && ts < 0 ? DateFormat.getInstance() : ts < 0 ? DateFormat.getDateInstance(ds, Locale.US) : ds < 0 ? DateFormat.getTimeInstance(ts, Locale.US) : DateFormat.getDateTimeInstance(ds, ts, Locale.US);
      f.setTimeZone(TimeZone.getTimeZone(z));
      for (long m : new long[]{1495479520000L, 1710054000000L}) System.out.println(g.toJson(new Object[]{"s", ds, ts, z, Long.toString(m), f.format(new Date(m))}));
    }
    String[][] parses = {
      {"yyyy-MM-dd", "2020-02-30", "2020-01-05T10:00", "nope", "2024--03-01", "2E3-01-01", "-0005-01-01", "1582-10-10", "1000-02-29", " 2020- 1- 2", "2020-1-2x", "20200102", "2020-13-45", "0000-01-01", ""},
      {"dd/MM/yyyy", "32/13/2020", " 05/ 6/2020", "05/06/2020 12:00", "5/6/20", "05/06/99"},
      {"dd/MM/yy", "05/06/20", "05/06/99", "05/06/45", "05/06/44", "05/06/46", "05/06/123", "05/06/5"},
      {"yyyyMMdd", "20200506", "2020056", "202005061"},
      {"yyyyMMddHHmm", "202005061230"},
      {"EEE, d MMM yyyy HH:mm:ss Z", "Tue, 3 jun 2008 11:05:30 +0300", "tuesday, 3 JUNE 2008 11:05:30 -0130", "Tue, 3 Jun 2008 11:05:30 +03"},
      {"yyyy-MM-dd'T'HH:mm:ssXXX", "2024-03-01T10:00:00+02:00", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00+0200", "2024-03-01T10:00:00"},
      {"yyyy-MM-dd'T'HH:mm:ssX", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00+05", "2024-03-01T10:00:00-0530"},
      {"yyyy-MM-dd'T'HH:mm:ss'Z'", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00"},
      {"yyyy-MM-dd HH:mm z", "2024-03-01 10:00 PST", "2024-03-01 10:00 GMT+03:00", "2024-03-01 10:00 GMT+3", "2024-03-01 10:00 GMT", "2024-03-01 10:00 UTC",
        "2024-07-01 10:00 EDT", "2024-07-01 10:00 Eastern Daylight Time", "2024-03-10 02:30 EST", "2024-03-01 10:00 +0530", "2024-03-01 10:00 CET", "2024-07-01 10:00 BST", "2024-03-01 10:00 XYZ"},
      {"yyyy-MM-dd HH:mm", "2024-03-01 24:30", "2024-03-10 02:30", "2024-11-03 01:30", "2024-03-31 03:30", "2024-10-27 03:30"},
      {"yyyy-MM-dd hh:mm a", "2024-03-01 12:30 am", "2024-03-01 12:30 PM", "2024-03-01 13:30 PM", "2024-03-01 03:30 p"},
      {"MMM dd yyyy", "SEPTEMBER 05 2020", "Sep 05 2020", "sept 05 2020"},
      {"yyyy MMM", "2020  Sep", "2020 Sep"},
      {"EEE yyyy MM", "Wed 2020 09"},
      {"yyyy-MM-dd EEE", "2020-09-01 Fri"},
      {"yyyy ww", "2020 10"},
      {"YYYY ww u", "2021 01 5", "2020 53 7", "2021 00 1"},
      {"yyyy DDD", "2020 366", "2020 0"},
      {"hh a", "03 PM"},
      {"yyyy-MM-dd kk:mm", "2020-01-01 24:00", "2020-01-01 00:00"},
      {"yyyy-MM-dd G", "0005-01-01 BC", "0001-01-01 BC", "2020-01-01 ad"},
      {"ss.SSS", "01.5", "01.05"},
      {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-01T10:00:00.123+05:30"},
      {"dd/MM/yyyy HH:mm", "01/01/2020 12:00", "01/01/2020", "15/03/2021 08:05:59"},
      {"yyyy-MM-dd'T'HH:mm", "2020-05-01T00:00", "2020-05-01"},
      {"HH:mm yyyy-dd-MM", "12:00 2020-30-04"},
      {"dd.MM.yyyy", "22.05.2017", "\u0662\u0662.05.2017"},
      {"F EEE MMM yyyy", "2 Mon Jun 2020", "-1 Fri Jan 2021"},
      {"W EEE MMM yyyy", "2 Mon Jun 2020"},
      {"MMMM", "june"},
      {"yyyy-MM-dd HH:mm:ss", "2020-06-15 25:61:61", "2020-06-15 -1:00:00"},
    };
    for (String[] row : parses) {
      for (String z : new String[]{"UTC", "America/New_York", "Europe/Kyiv"}) {
        SimpleDateFormat f = new SimpleDateFormat(row[0], Locale.US);
        TimeZone tz = TimeZone.getTimeZone(z);
        Calendar cs = Calendar.getInstance(tz, Locale.US);
        cs.setTimeInMillis(NOW);
        cs.add(Calendar.YEAR, -80);
        f.setTimeZone(tz);
        f.set2DigitYearStart(cs.getTime());
        for (int i = 1; i < row.length; i++) {
          f.setTimeZone(tz);
          ParsePosition pos = new ParsePosition(0);
          Date d = f.parse(row[i], pos);
          String r = (d == null || pos.getIndex() == 0) ? "ERR" : d.getTime() + "@" + pos.getIndex();
          System.out.println(g.toJson(new Object[]{"p", row[0], z, row[i], r}));
        }
      }
    }
  }
}
