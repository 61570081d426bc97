package dev.mailfetch.cli.serve;

import com.sun.net.httpserver.HttpServer;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
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
   * @param passwordFile a file whose first line is that password, read again when it changes
   *     (docs/serve.md), or null; not with {@code password}
   * @param readyFailingPercent {@code /readyz} answers 503 when more than this share of the
   *     accounts is failing (paused, or its last checks failed)
   * @param doctorTime how long a doctor's examination may take before it is given up
   */
  public record Settings(
      InetSocketAddress listen,
      byte[] password,
      Path passwordFile,
      int readyFailingPercent,
      Duration doctorTime) {
    public Settings {
      Objects.requireNonNull(listen, "listen");
      if (password != null && passwordFile != null) {
        throw new IllegalArgumentException("a password or a password file, not both");
      }
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

    /**
     * The command's words for an error of this account (no secret: the command prints them), the
     * remedy as the page says it: {@code paused}, the account waits for its Resume button.
     */
    ErrorWords words(String account, FetchException e, boolean paused);

    /**
     * The doctor's report on the account's server, as text (blocking; the site bounds its time). An
     * interrupt, when that time is up or the site closes, must end the examination and close its
     * connections (the command's desk runs it as a process of its own and ends it).
     */
    String doctor(String account) throws Exception;
  }

  /** {@code /metrics}: the Prometheus text of the poller's counters (docs/serve.md, "Metrics"). */
  public interface Metrics {
    /** The Content-Type of {@link #writeTo}'s bytes. */
    String contentType();

    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Threads answering requests at once; a page takes milliseconds, a slow client is cut off. The
   * JDK's server reads a request's line and headers on the thread that answers it, so a client that
   * sends half a request holds a thread until {@code sun.net.httpserver.maxReqTime}.
   */
  public static final int THREADS = 8;

  /**
   * Requests waiting for a thread; beyond them a request gets 503 at once. Fewer than {@link
   * #MAX_CONNECTIONS} less {@link #THREADS}: a request is a connection, and the JDK closes a
   * connection beyond its limit without a word, so with more waiting room the 503 could never be
   * sent. 8 answering, 48 waiting, 8 more told 503; the 65th connection is closed.
   */
  public static final int WAITING = 48;

  /** Connections open at once ({@code jdk.httpserver.maxConnections}, unless a -D sets it). */
  public static final int MAX_CONNECTIONS = ServerLimits.MAX_CONNECTIONS;

  private final Settings settings;
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ExecutorService overflow;
  private DoctorVisits doctor;
  private HealthCheck health;

  private ServeSite(Settings s) throws IOException {
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
            settings.passwordFile() != null
                ? Doorman.ofFile(settings.passwordFile())
                : new Doorman(settings.password()),
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
