import java.util.*;
public class GenFloats {
  public static void main(String[] a) {
    String kind = a[0]; int n = Integer.parseInt(a[1]); long seed = Long.parseLong(a[2]);
    Random r = new Random(seed);
    LinkedHashSet<Long> ds = new LinkedHashSet<>();
    LinkedHashSet<Integer> fs = new LinkedHashSet<>();
    if (kind.equals("d")) {
      double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 1e-3, 1e7, 9999999.999999998, 0.001, 0.0009999999999999998,
        1e23, 2e23, 8.41e21, 5e-324, 1.0, 0.1, 0.2, 0.3, 1.1, 2.5, 100.0, 1234.5, 1e16, 1e17, 2e-3, 1.0E-5, 4.35, 0.5, 123456789.0,
        9007199254740992.0, 9007199254740993.0, 1.15292150460684698E18, 5.764607523034235E17};
      for (double d : special) ds.add(Double.doubleToRawLongBits(d));
      for (int e = -325; e <= 309; e++) { ds.add(Double.doubleToRawLongBits(Double.parseDouble("1e" + e))); ds.add(Double.doubleToRawLongBits(Double.parseDouble("9.999999999999999e" + e)));}
      for (int e = -1074; e <= 1023; e++) { ds.add(Double.doubleToRawLongBits(Math.scalb(1.0, e))); }
      for (long i = 1; i < 200; i++) ds.add(Double.doubleToRawLongBits((double) i));
      while (ds.size() < n) {
        switch (r.nextInt(5)) {
          case 0: ds.add(r.nextLong()); break;
          case 1: { long v = r.nextLong() & 0x000FFFFFFFFFFFFFL; ds.add(v); break; }
          case 2: ds.add(Double.doubleToRawLongBits(r.nextInt(2000000) / 100.0)); break;
          case 3: ds.add(Double.doubleToRawLongBits(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20))); break;
          default: ds.add(Double.doubleToRawLongBits((double) r.nextLong() / (1L << r.nextInt(64)))); break;
        }
      }
      for (long b : ds) { double d = Double.longBitsToDouble(b); if (Double.isNaN(d) && b != Double.doubleToRawLongBits(Double.NaN)) continue; System.out.println(String.format("%016x", b) + "\t" + Double.toString(d)); }
    } else {
      float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL,
        1e-3f, 1e7f, 0.1f, 1.1f, 2.5f, 1e10f, 1.0E-5f, 3.4028235E38f, 1.4E-45f, 16777216f, 16777217f, 1e-44f, 33554432f};
      for (float f : special) fs.add(Float.floatToRawIntBits(f));
      for (int e = -46; e <= 39; e++) fs.add(Float.floatToRawIntBits(Float.parseFloat("1e" + e)));
      for (int e = -149; e <= 127; e++) fs.add(Float.floatToRawIntBits(Math.scalb(1.0f, e)));
      while (fs.size() < n) {
        switch (r.nextInt(3)) {
          case 0: fs.add(r.nextInt()); break;
          case 1: fs.add(Float.floatToRawIntBits(r.nextInt(2000000) / 100.0f)); break;
          default: fs.add(Float.floatToRawIntBits((float)(r.nextDouble() * Math.pow(10, r.nextInt(20) - 10)))); break;
        }
      }
      for (int b : fs) { float f = Float.intBitsToFloat(b); if (Float.isNaN(f) && b != Float.floatToRawIntBits(Float.NaN)) continue; System.out.println(String.format("%08x", b) + "\t" + Float.toString(f)); }
    }
  }
}
