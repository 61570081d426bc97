package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own (Debian's {@code postgresql}, version 15 by default): made
 * by {@code initdb} in a temporary folder, started by {@code pg_ctl} on 127.0.0.1 on a free port
 * with its Unix socket in that folder, and stopped (and the folder deleted) by {@link #stop()}; the
 * system's service and port 5432 are never used. As root, the cluster runs as the {@code postgres}
 * system user (PostgreSQL refuses to run as root), which owns the folder.
 *
 * <p>The database user {@link #USER} is its superuser, trusted without a password from loopback;
 * {@link #createDatabase} makes a database per test class, so that classes do not see each other's
 * tables. Durability is switched off ({@code fsync}, {@code full_page_writes}, {@code
 * synchronous_commit}): the tests prove mailfetch's transactions, not PostgreSQL's disk writes.
 *
 * <p>Where PostgreSQL is not installed (or root has no {@code postgres} user), {@link #start()}
 * skips the test, saying why ({@link #whyUnavailable()}).
 *
 * <pre>{@code
 * PrivatePostgres pg = PrivatePostgres.shared();          // one per test JVM, stopped at its exit
 * String db = pg.createDatabase("uidstoretest");
 * PGSimpleDataSource ds = new PGSimpleDataSource();
 * ds.setUrl(pg.jdbcUrl(db));                               // jdbc:postgresql://127.0.0.1:port/db
 * ds.setUser(PrivatePostgres.USER);
 * }</pre>
 */
public final class PrivatePostgres implements AutoCloseable {
  /** The database superuser, trusted from loopback without a password. */
  public static final String USER = "mailfetch";

  private static final String SYSTEM_USER = "postgres";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static PrivatePostgres shared;

  private final Path bin;
  private final Path folder;
  private final int port;
  private final boolean asRoot;

  private PrivatePostgres(Path bin, Path folder, int port, boolean asRoot) {
    this.bin = bin;
    this.folder = folder;
    this.port = port;
    this.asRoot = asRoot;
  }

  /**
   * Why a private PostgreSQL cannot start here, if it cannot: its programs are missing (the package
   * to install is named), or the process is root and there is no {@code postgres} user to run it.
   */
  public static Optional<String> whyUnavailable() {
    if (binaries().isEmpty()) {
      return Optional.of(
          "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): install the"
              + " Debian package postgresql");
    }
    if (isRoot() && !userExists(SYSTEM_USER)) {
      return Optional.of(
          "running as root, and there is no system user \"postgres\" to run PostgreSQL as"
              + " (PostgreSQL refuses to run as root)");
    }
    return Optional.empty();
  }

  /**
   * One cluster for the whole test JVM, started at the first call and stopped when the JVM exits;
   * skips the test where {@link #whyUnavailable()} says why.
   */
  public static synchronized PrivatePostgres shared() throws Exception {
    if (shared == null) {
      PrivatePostgres pg = start();
      Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "private-postgres-stop"));
      shared = pg;
    }
    return shared;
  }

  /** A new cluster; skips the test where {@link #whyUnavailable()} says why. */
  public static PrivatePostgres start() throws Exception {
    whyUnavailable().ifPresent(why -> abort(why));
    Path bin = binaries().orElseThrow();
    boolean root = isRoot();
    Path folder = Files.createTempDirectory("mailfetch-postgres-");
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(folder.resolve("socket"));
    if (root) {
      run(folder, List.of("chown", "-R", SYSTEM_USER + ":", folder.toString()));
    }
    try {
      run(
          folder,
          as(
              root,
              bin.resolve("initdb").toString(),
              "-D",
              folder.resolve("data").toString(),
              "-U",
              USER,
              "--auth=trust",
              "-E",
              "UTF8",
              "--locale=C",
              "--no-sync"));
      // A port found free can be taken before PostgreSQL binds it: then another is tried.
      for (int attempt = 1; ; attempt++) {
        int port = freePort();
        PrivatePostgres pg = new PrivatePostgres(bin, folder, port, root);
        try {
          run(
              folder,
              as(
                  root,
                  bin.resolve("pg_ctl").toString(),
                  "start",
                  "-w",
                  "-t",
                  "30",
                  "-D",
                  folder.resolve("data").toString(),
                  "-l",
                  folder.resolve("postgres.log").toString(),
                  "-o",
                  "-p "
                      + port
                      + " -k "
                      + folder.resolve("socket")
                      + " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                      + " -c synchronous_commit=off -c max_connections=100"));
          return pg;
        } catch (IOException e) {
          if (attempt >= 5) {
            throw new IOException(e.getMessage() + "\npostgres.log:\n" + pg.log(), e);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      delete(folder);
      throw e;
    }
  }

  /** The address it listens on: always 127.0.0.1. */
  public String host() {
    return "127.0.0.1";
  }

  /** Its port on {@link #host()}. */
  public int port() {
    return port;
  }

  /** The folder of its Unix socket ({@code .s.PGSQL.<port>}). */
  public Path socketDirectory() {
    return folder.resolve("socket");
  }

  /** The JDBC URL of {@code database} ({@code jdbc:postgresql://127.0.0.1:port/database}). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
  }

  /**
   * Creates an empty database (lower-case letters, digits and '_', a letter first) and returns its
   * name; one that exists is dropped first, so each test run starts empty.
   */
  public String createDatabase(String name) throws Exception {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    psql("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    psql("postgres", "CREATE DATABASE " + name);
    return name;
  }

  /** Runs {@code sql} with PostgreSQL's psql in {@code database} and returns what it printed. */
  public String psql(String database, String sql) throws Exception {
    return run(
        folder,
        as(
            asRoot,
            bin.resolve("psql").toString(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            host(),
            "-p",
            String.valueOf(port),
            "-U",
            USER,
            "-d",
            database,
            "-c",
            sql));
  }

  /** What the server logged so far. */
  public String log() {
    try {
      return Files.readString(folder.resolve("postgres.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the cluster ({@code pg_ctl stop -m fast}, its own) and deletes its folder. */
  public void stop() throws Exception {
    if (Files.exists(folder.resolve("data/postmaster.pid"))) {
      run(
          folder,
          as(
              asRoot,
              bin.resolve("pg_ctl").toString(),
              "stop",
              "-w",
              "-m",
              "fast",
              "-D",
              folder.resolve("data").toString()));
    }
    delete(folder);
  }

  /** As {@link #stop()}, a failure printed rather than thrown (for a shutdown hook). */
  @Override
  public void close() {
    try {
      stop();
    } catch (Exception e) {
      System.err.println("stopping the private PostgreSQL in " + folder + ": " + e);
    }
  }

  @Override
  public String toString() {
    return "PrivatePostgres[" + host() + ":" + port + ", " + folder + "]";
  }

  // ---------------------------------------------------------------- inside

  /** The newest {@code /usr/lib/postgresql/<version>/bin} with initdb, 15 first. */
  private static Optional<Path> binaries() {
    Path fifteen = Path.of("/usr/lib/postgresql/15/bin");
    if (Files.isExecutable(fifteen.resolve("initdb"))) {
      return Optional.of(fifteen);
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(Path::toString));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean userExists(String user) {
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream()
          .anyMatch(l -> l.startsWith(user + ":"));
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> as(boolean root, String... command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("runuser", "-u", SYSTEM_USER, "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Runs a command in {@code dir} (readable by the postgres user), returning its output. */
  private static String run(Path dir, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("mailfetch-postgres-cmd", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 60 s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void delete(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
