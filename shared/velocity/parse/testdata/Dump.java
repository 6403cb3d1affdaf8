// Dump: token stream and AST of Velocity 1.7's parser, for differential tests.
//   java Dump --batch DIR   -> DIR/NAME.vm -> DIR/NAME.dump
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.velocity.runtime.RuntimeInstance;
import org.apache.velocity.runtime.parser.*;
import org.apache.velocity.runtime.parser.node.*;

public class Dump {
    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\\': b.append("\\\\"); break;
                case '"': b.append("\\\""); break;
                default:
                    if (c < 32 || c > 126) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }
    static String tok(Token t) {
        StringBuilder b = new StringBuilder();
        if (t.specialToken != null) {
            Token s = t.specialToken;
            while (s.specialToken != null) s = s.specialToken;
            List<String> sp = new ArrayList<>();
            for (; s != null && s != t; s = s.next) sp.add(ParserConstants.tokenImage[s.kind].replace("\"","'") + q(s.image));
            b.append("{").append(String.join(" ", sp)).append("} ");
        }
        b.append(t.kind).append(' ').append(q(t.image)).append(' ').append(t.beginLine).append(':').append(t.beginColumn);
        return b.toString();
    }
    static void node(StringBuilder out, Node n, String ind) {
        String name = n.getClass().getSimpleName();
        out.append(ind).append(name);
        Token f = n.getFirstToken(), l = n.getLastToken();
        if (f != null) out.append(' ').append(q(f.image)).append(' ').append(f.beginLine).append(':').append(f.beginColumn);
        if (l != null) out.append(" .. ").append(q(l.image));
        if (n instanceof ASTDirective) out.append(" #").append(((ASTDirective) n).getDirectiveName());
        out.append('\n');
        for (int i = 0; i < n.jjtGetNumChildren(); i++) node(out, n.jjtGetChild(i), ind + "  ");
    }
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[1]);
        List<Path> vms = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.vm")) { for (Path p : ds) vms.add(p); }
        Collections.sort(vms);
        RuntimeInstance ri = new RuntimeInstance();
        ri.init(Render.engineProperties());
        for (Path vm : vms) {
            String file = vm.getFileName().toString();
            String src = new String(Files.readAllBytes(vm), StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            try {
                SimpleNode root = ri.parse(new StringReader(src), file);
                for (Token t = root.getFirstToken(); t != null; t = t.next) {
                    out.append(tok(t)).append('\n');
                    if (t.kind == 0) break;
                }
                out.append("--\n");
                node(out, root, "");
            } catch (Throwable e) {
                out.append("ERROR ").append(e.getClass().getSimpleName()).append('\n');
                out.append(e.getMessage()).append('\n');
            }
            Files.write(dir.resolve(file.substring(0, file.length() - 3) + ".dump"), out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
