import java.io.File;
import java.io.FileOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A measurement aid, not part of the build: copies a runnable jar with the class files under one
 * package prefix rewritten from their version (picocli 4.7.7's are Java 5, version 49) to Java 8's
 * (52), their stack map frames computed by ASM. The JVM's class archives (AppCDS, JDK 25's AOT
 * cache) leave version-49 classes out and the old type-inferring verifier checks them at every
 * start; the rewritten ones are archived. The bytecode is otherwise unchanged. docs/benchmarks.md
 * ("The cron case: nothing new") gives what it saves.
 *
 * <pre>
 * java -cp ~/.m2/repository/org/ow2/asm/asm/9.7.1/asm-9.7.1.jar \
 *   benchmarks/classfiles/UpgradeClassFiles.java fetch-cli/target/mailfetch.jar /tmp/u/mailfetch.jar picocli/
 * </pre>
 */
public final class UpgradeClassFiles {
  public static void main(String[] args) throws Exception {
    String prefix = args.length > 2 ? args[2] : "picocli/";
    // Frames need the common super class of two types: looked up in the jar itself.
    URLClassLoader jar =
        new URLClassLoader(
            new URL[] {new File(args[0]).toURI().toURL()}, ClassLoader.getPlatformClassLoader());
    int upgraded = 0;
    try (ZipFile in = new ZipFile(args[0]);
        ZipOutputStream out = new ZipOutputStream(new FileOutputStream(args[1]))) {
      for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        byte[] b = in.getInputStream(entry).readAllBytes();
        if (entry.getName().startsWith(prefix) && entry.getName().endsWith(".class")) {
          ClassWriter w =
              new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
                @Override
                protected ClassLoader getClassLoader() {
                  return jar;
                }
              };
          new ClassReader(b)
              .accept(
                  new ClassVisitor(Opcodes.ASM9, w) {
                    @Override
                    public void visit(
                        int version,
                        int access,
                        String name,
                        String signature,
                        String superName,
                        String[] interfaces) {
                      super.visit(
                          Math.max(version, Opcodes.V1_8),
                          access,
                          name,
                          signature,
                          superName,
                          interfaces);
                    }
                  },
                  ClassReader.SKIP_FRAMES);
          b = w.toByteArray();
          upgraded++;
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(b);
        out.closeEntry();
      }
    }
    System.out.println(upgraded + " class files under " + prefix + " now version 52 or later");
  }
}
