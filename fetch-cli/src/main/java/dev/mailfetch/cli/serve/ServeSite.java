package dev.mailfetch.cli.serve;

import com.sun.net.httpserver.HttpServer;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code mailfetch serve}'s HTTP server in front of a running {@link Poller}: the accounts page,
 * each account's page, the actions (check now, resume, run the doctor), {@code /healthz}, {@code
 * /readyz} and {@code /metrics}. The JDK's own server (module jdk.httpserver): no dependency, a few
 * milliseconds to start, and the pages are small; what it does not bound, this class does (threads,
 * requests waiting, request sizes; docs/serve.md).
 */
public final class ServeSite implements AutoCloseable {
  /**
   * How the site runs.
   *
   * @param listen the address to bind (loopback unless the user chose another)
   * @param password the password the pages ask for (Basic), or null for none
   * @param readyFailingPercent {@code /readyz} answers 503 when more than this share of the
   *     accounts is failing (paused, or its last checks failed)
   * @param doctorTime how long a doctor's examination may take before it is given up
   */
  public record Settings(
      InetSocketAddress listen, byte[] password, int readyFailingPercent, Duration doctorTime) {
    public Settings {
      Objects.requireNonNull(listen, "listen");
      Objects.requireNonNull(doctorTime, "doctorTime");
      if (readyFailingPercent < 0 || readyFailingPercent > 100) {
        throw new IllegalArgumentException("readyFailingPercent must be from 0 to 100");
      }
    }
  }

  /**
   * A failure in the words the command prints for it: its code, what happened, what it means and
   * what to do (naming the config file's keys).
   */
  public record ErrorWords(String code, String detail, String meaning, String remedy) {}

  /** What the command knows that the site shows: names, the words of errors, the doctor. */
  public interface Desk {
    /** The config file's name of the poller's account. */
    String name(String account);

    /** The command's words for an error of this account (no secret: the command prints them). */
    ErrorWords words(String account, FetchException e);

    /**
     * The doctor's report on the account's server, as text (blocking; the site bounds its time).
     */
    String doctor(String account) throws Exception;
  }

  /** {@code /metrics}: the Prometheus text of the poller's counters (docs/serve.md, "Metrics"). */
  public interface Metrics {
    /** The Content-Type of {@link #writeTo}'s bytes. */
    String contentType();

    void writeTo(OutputStream out) throws IOException;
  }

  /** Threads answering requests at once; a page takes milliseconds, a slow client is cut off. */
  static final int THREADS = 8;

  /** Requests waiting for a thread; beyond them a request gets 503 at once. */
  static final int WAITING = 64;

  static final String NO_DELAY = "sun.net.httpserver.nodelay";

  private final Settings settings;
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ExecutorService overflow;
  private DoctorVisits doctor;
  private HealthCheck health;

  private ServeSite(Settings s) throws IOException {
    // Without TCP_NODELAY every small answer (an account's page, /metrics, the probes) took 40 ms
    // or more: the JDK's server sends the headers as a segment of their own and the body after
    // them, which Nagle holds until the client's delayed ACK of the headers. Read once, when the
    // JVM's first server is made; a -D on the java command line wins (docs/serve.md, "Load").
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
    ServerLimits.apply();
    settings = s;
    server = HttpServer.create(s.listen(), 50);
    // A request beyond the waiting room is not dropped silently: it runs on one thread that only
    // answers 503, marked so the office knows.
    overflow =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, SortingOffice.OVERFLOW_THREAD);
              t.setDaemon(true);
              return t;
            });
    workers =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WAITING),
            r -> {
              Thread t = new Thread(r, "mailfetch-serve");
              t.setDaemon(true);
              return t;
            },
            (task, pool) -> overflow.execute(task));
    workers.allowCoreThreadTimeOut(true);
    server.setExecutor(workers);
  }

  /**
   * Binds the address, before the poller starts: an address in use is said at once, and nothing is
   * checked by a serve that cannot be reached. Nothing is answered until {@link #open}.
   *
   * @throws IOException if the address cannot be bound (in use, not this machine's)
   */
  public static ServeSite bind(Settings settings) throws IOException {
    return new ServeSite(settings);
  }

  /**
   * Starts answering, in front of the running poller.
   *
   * @param metrics what {@code /metrics} answers, or null (then 404 says it is not built in)
   */
  public synchronized void open(Poller poller, Desk desk, Metrics metrics) {
    if (health != null) {
      throw new IllegalStateException("already open");
    }
    // times in the machine's own zone: what its owner reads
    Mailboxes boxes = new Mailboxes(poller, desk, Clock.system(ZoneId.systemDefault()));
    doctor = new DoctorVisits(desk, settings.doctorTime());
    health = new HealthCheck(boxes, settings.readyFailingPercent());
    server.createContext(
        "/",
        new SortingOffice(
            boxes,
            doctor,
            new CsrfToken(new SecureRandom()),
            new Doorman(settings.password()),
            health,
            metrics));
    server.start();
  }

  /** The address bound (the port chosen when 0 was asked). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops answering (requests under way get a second to finish) and stops running doctors. */
  @Override
  public synchronized void close() {
    if (health != null) {
      health.stopping(); // a probe in the second below says so
      doctor.close();
    }
    server.stop(health != null ? 1 : 0);
    workers.shutdownNow();
    overflow.shutdownNow();
  }
}
