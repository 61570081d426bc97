package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.testkit.PrivatePostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The command's connections to its state database (docs/scale.md, "The command"): statements run on
 * a few kept connections, not a new connection and PostgreSQL backend each, none is left open once
 * the state closes, and a database gone mid-run is {@code STATE_FAILED} in the driver's words
 * within the pool's wait, not a hang. Against the real PostgreSQL, through a loopback relay that
 * the test cuts.
 */
@Timeout(120)
class PostgresStateConnectionsTest {
  private static PrivatePostgres pg;
  private static String database;
  private final Duration wait = PostgresState.connectionWait;

  @BeforeAll
  static void database() throws Exception {
    pg = PrivatePostgres.shared();
    database = pg.createDatabase("cli_connections");
  }

  @AfterEach
  void waitAsBefore() {
    PostgresState.connectionWait = wait;
  }

  private static PostgresState state(int port, int connections) {
    return state(port, connections, Duration.ofMinutes(2));
  }

  private static PostgresState state(int port, int connections, Duration leaseTime) {
    Map<String, String> env = new HashMap<>();
    env.put(PostgresState.PASSWORD_ENV, "trusted-on-loopback");
    String url =
        "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + PrivatePostgres.USER;
    return PostgresState.of(
        new CommandLine(new FetchCommand()).getCommandSpec(),
        url,
        null,
        env,
        leaseTime,
        null,
        connections);
  }

  private static UidRecord delivered(String account, String uid) {
    return UidRecord.of(
        uid, UidRecord.State.DELIVERED, Instant.now(), DeliveryKey.of(account, uid));
  }

  /** The backends of this test's database that the command opened (its application name). */
  private static int backends() throws Exception {
    return Integer.parseInt(
        pg.psql(
                database,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                    + database
                    + "' AND application_name = 'mailfetch'")
            .strip());
  }

  @Test
  void manyWrites_runOnTheKeptConnections_andNoneStaysOpenAfterClose() throws Exception {
    try (PostgresState state = state(pg.port(), 3)) {
      PostgresState.Held held = state.take("kept@example.org", null);
      for (int i = 0; i < 40; i++) {
        held.store().put(delivered("kept@example.org", "uid-" + i));
        held.store().sync(); // a transaction each
      }
      int open = backends();
      assertTrue(open >= 1 && open <= 3, "at most the pool's 3 connections: " + open);
      held.close();
    }
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (backends() > 0 && System.nanoTime() < until) {
      Thread.sleep(50); // a backend ends just after its client closed the socket
    }
    assertEquals(0, backends(), "every kept connection closed with the state");
  }

  @Test
  void aDatabaseGoneMidRun_isStateFailedInTheDriversWords_withinThePoolsWait() throws Exception {
    PostgresState.connectionWait = Duration.ofSeconds(2);
    try (Relay relay = new Relay(pg.port());
        PostgresState state = state(relay.port(), 3)) {
      PostgresState.Held held = state.take("gone@example.org", null);
      held.store().put(delivered("gone@example.org", "uid-1"));
      held.store().sync();
      relay.cut(); // the database is gone: kept connections cut, new ones refused
      Thread.sleep(1_000); // past the pool's window for trusting a connection just used
      held.store().put(delivered("gone@example.org", "uid-2"));
      long start = System.nanoTime();
      FetchException e = assertThrows(FetchException.class, () -> held.store().sync());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(FetchError.STATE_FAILED, e.error(), e.getMessage());
      assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "within the pool's wait: " + took);
      String words = e.serverReply().orElse("") + " " + e.getMessage();
      assertTrue(words.contains("refused"), "the driver's words, not only the pool's: " + words);
      assertFalse(words.contains("trusted-on-loopback"), words);
    }
  }

  @Test
  void aTransactionLeftOpen_asByAPausedInstance_isEndedByTheDatabase_afterAThirdOfTheLease()
      throws Exception {
    try (PostgresState state = state(pg.port(), 3, Duration.ofSeconds(3)); // a third: 1 s
        Connection c = state.pooled().getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1"); // a transaction begun, then nothing sent: paused
      }
      Thread.sleep(2_500);
      SQLException e =
          assertThrows(
              SQLException.class,
              () -> {
                try (Statement s = c.createStatement()) {
                  s.execute("SELECT 1");
                }
              });
      String state08or25 = String.valueOf(e.getSQLState());
      assertTrue(
          state08or25.equals("25P03") || state08or25.startsWith("08"),
          "the session was ended by the database: " + e.getSQLState() + " " + e.getMessage());
    }
  }

  /** A loopback TCP relay to the database that the test can cut, as a database going away. */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Relay(int target) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket client = server.accept();
                    Socket db = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(db);
                    pump(client, db);
                    pump(db, client);
                  } catch (IOException e) {
                    return; // closed
                  }
                }
              },
              "relay");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // cut
                } finally {
                  try {
                    to.close();
                  } catch (IOException e) {
                    // already closed
                  }
                }
              },
              "relay pump");
      t.setDaemon(true);
      t.start();
    }

    /** Stops accepting and closes every relayed connection. */
    void cut() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }

    @Override
    public void close() throws IOException {
      cut();
    }
  }
}
