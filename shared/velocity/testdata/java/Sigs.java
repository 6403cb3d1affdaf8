import java.lang.reflect.*;
import java.util.*;
// Prints the public methods Velocity 1.7's ClassMap sees for each class: the class's
// and its public superclasses' declared public methods, then its interfaces', the
// first declaration of each signature winning.
public class Sigs {
    static LinkedHashMap<String, Method> cache = new LinkedHashMap<>();
    static void put(Method m) {
        StringBuilder k = new StringBuilder(m.getName());
        for (Class<?> p : m.getParameterTypes()) k.append(',').append(p.getName());
        cache.putIfAbsent(k.toString(), m);
    }
    static void iface(Class<?> c) {
        if (Modifier.isPublic(c.getModifiers())) for (Method m : c.getDeclaredMethods()) if (Modifier.isPublic(m.getModifiers())) put(m);
        for (Class<?> s : c.getInterfaces()) iface(s);
    }
    static String t(Class<?> c) { return c.isArray() ? t(c.getComponentType()) + "[]" : c.getSimpleName(); }
    public static void main(String[] a) throws Exception {
        Map<String, Class<?>> classes = new LinkedHashMap<>();
        LinkedHashMap<String,Object> lm = new LinkedHashMap<>(); lm.put("a", 1);
        HashMap<String,Object> hm = new HashMap<>(); hm.put("a", 1);
        classes.put("String", String.class); classes.put("Integer", Integer.class); classes.put("Long", Long.class);
        classes.put("Short", Short.class); classes.put("Byte", Byte.class); classes.put("Double", Double.class); classes.put("Float", Float.class);
        classes.put("Boolean", Boolean.class); classes.put("Character", Character.class); classes.put("BigInteger", java.math.BigInteger.class);
        classes.put("BigDecimal", java.math.BigDecimal.class); classes.put("ArrayList", ArrayList.class); classes.put("LinkedHashMap", LinkedHashMap.class);
        classes.put("HashMap", HashMap.class); classes.put("TreeMap", TreeMap.class);
        classes.put("KeySet", lm.keySet().getClass()); classes.put("Values", lm.values().getClass()); classes.put("EntrySet", lm.entrySet().getClass());
        classes.put("Entry", lm.entrySet().iterator().next().getClass()); classes.put("Class", Class.class); classes.put("Object", Object.class);
        classes.put("ArrayListWrapper", org.apache.velocity.util.ArrayListWrapper.class);
        classes.put("ForeachScope", org.apache.velocity.runtime.directive.ForeachScope.class);
        classes.put("BlockReference", org.apache.velocity.runtime.directive.Block.Reference.class);
        for (Map.Entry<String, Class<?>> e : classes.entrySet()) {
            cache.clear();
            for (Class<?> k = e.getValue(); k != null; k = k.getSuperclass()) {
                if (Modifier.isPublic(k.getModifiers())) for (Method m : k.getDeclaredMethods()) if (Modifier.isPublic(m.getModifiers())) put(m);
                for (Class<?> s : k.getInterfaces()) iface(s);
            }
            List<String> lines = new ArrayList<>();
            for (Method m : cache.values()) {
                StringBuilder b = new StringBuilder(e.getKey()).append('|').append(m.getName()).append('|');
                Class<?>[] ps = m.getParameterTypes();
                for (int i = 0; i < ps.length; i++) { if (i > 0) b.append(','); b.append(t(ps[i])); }
                b.append('|').append(t(m.getReturnType()));
                lines.add(b.toString());
            }
            Collections.sort(lines);
            for (String l : lines) System.out.println(l);
        }
    }
}
