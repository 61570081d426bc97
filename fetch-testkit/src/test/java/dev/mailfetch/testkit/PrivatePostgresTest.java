package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A private PostgreSQL: on loopback, its socket in its own folder, gone with its folder when
 * stopped.
 */
@Timeout(60)
class PrivatePostgresTest {
  @Test
  void aPrivateCluster_servesOnLoopback_andLeavesNothingWhenStopped() throws Exception {
    PrivatePostgres pg = PrivatePostgres.start();
    Path socket = pg.socketDirectory().resolve(".s.PGSQL." + pg.port());
    try {
      assertTrue(Files.exists(socket), "its Unix socket in its own folder");
      assertEquals("127.0.0.1", pg.host());
      assertTrue(pg.port() != 5432, "never the system's port");
      String db = pg.createDatabase("private_test");
      assertEquals(pg.createDatabase("private_test"), db, "made anew, not refused");
      assertEquals(
          "UTF8|mailfetch",
          pg.psql(
                  db,
                  "SELECT pg_encoding_to_char(encoding), "
                      + "pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'private_test'")
              .strip());
      assertThrows(IllegalArgumentException.class, () -> pg.createDatabase("x; DROP"));
    } finally {
      pg.stop();
    }
    assertFalse(Files.exists(socket.getParent().getParent()), "its folder is deleted");
    try (Socket s = new Socket()) {
      assertThrows(
          IOException.class,
          () -> s.connect(new InetSocketAddress(pg.host(), pg.port()), 1000),
          "nothing listens any more");
    }
  }
}
