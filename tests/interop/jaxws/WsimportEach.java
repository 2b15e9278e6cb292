import com.sun.tools.ws.wscompile.WsimportTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Runs the JAX-WS RI's wsimport over each WSDL given, in one JVM (a wsimport process per WSDL
 * costs a JVM start each): java -cp jaxws-tools.jar WsimportEach.java OUT WSDL...
 * The code of the Nth WSDL goes to OUT/N (not compiled). Prints "ok WSDL" or "FAIL WSDL" for
 * each, and exits 1 when any failed. Run by tests/interop/test_wsdl_loading.py.
 */
public class WsimportEach {
    public static void main(String[] args) throws Exception {
        int failed = 0;
        for (int i = 1; i < args.length; i++) {
            Path out = Paths.get(args[0], String.valueOf(i));
            Files.createDirectories(out);
            String[] options = {"-extension", "-Xnocompile", "-quiet", "-d", out.toString(), args[i]};
            boolean ok = new WsimportTool(System.out).run(options);
            System.out.println((ok ? "ok " : "FAIL ") + args[i]);
            if (!ok) {
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
