package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The schema: created in an empty database once, whoever comes first; another version refused. */
@Timeout(60)
class JdbcSchemaTest {
  @Test
  void anEmptyDatabase_getsTheSchema_once_evenWhenFourInstancesStartAtOnce() throws Exception {
    DataSource ds = TestDatabase.create("schema_fresh");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JdbcState>> opened = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opened.add(pool.submit(() -> JdbcState.open(ds)));
      }
      for (Future<JdbcState> f : opened) {
        assertEquals(JdbcState.SCHEMA_VERSION, f.get().schemaVersion());
      }
    } finally {
      pool.shutdown();
    }
    assertEquals("1", TestDatabase.psql("schema_fresh", "SELECT COUNT(*) FROM mailfetch_schema"));
    assertEquals(
        "mailfetch_account,mailfetch_check_request,mailfetch_fingerprint,mailfetch_first_copy,"
            + "mailfetch_instance,mailfetch_lease,mailfetch_schema,mailfetch_uid",
        TestDatabase.psql(
            "schema_fresh",
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables"
                + " WHERE tablename LIKE 'mailfetch%'"));
    JdbcState.open(ds); // and a later start finds it as it is
  }

  @Test
  void aDatabaseUpgradedByANewerMailfetch_isRefused_sayingWhatToRun() throws Exception {
    DataSource ds = TestDatabase.create("schema_newer");
    JdbcState.open(ds);
    TestDatabase.psql("schema_newer", "UPDATE mailfetch_schema SET version = 3");
    FetchException e = assertThrows(FetchException.class, () -> JdbcState.open(ds));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertEquals(
        "the database holds mailfetch's state in schema version 3, newer than this mailfetch reads"
            + " (version 2): a newer mailfetch upgraded it, and this one would misread it",
        e.detail());
    assertTrue(
        e.remedy().commandLine().startsWith("Run the newer mailfetch"), e.remedy().commandLine());
    assertTrue(e.remedy().library().startsWith("Use the fetch-jdbc version"));
    assertEquals("3", TestDatabase.psql("schema_newer", "SELECT version FROM mailfetch_schema"));
  }

  @Test
  void aDatabaseOfAnOlderSchema_isRefused_notUpgradedBehindTheOthersBack() throws Exception {
    DataSource ds = TestDatabase.create("schema_older");
    JdbcState.open(ds);
    TestDatabase.psql("schema_older", "UPDATE mailfetch_schema SET version = 0");
    FetchException e = assertThrows(FetchException.class, () -> JdbcState.open(ds));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertEquals(
        "the database holds mailfetch's state in schema version 0, older than this mailfetch reads"
            + " (version 2; this one upgrades version 1 only): it is not upgraded behind the back of"
            + " the instances that still use it",
        e.detail());
    assertTrue(
        e.remedy().commandLine().contains("Stop every mailfetch that shares this database"),
        e.remedy().commandLine());
    assertEquals("0", TestDatabase.psql("schema_older", "SELECT version FROM mailfetch_schema"));
  }

  @Test
  void aVersion1Database_isUpgradedInPlace_once_keepingItsRows_evenWhenFourStartAtOnce()
      throws Exception {
    DataSource ds = TestDatabase.create("schema_v1");
    createVersion1("schema_v1");
    TestDatabase.psql(
        "schema_v1",
        "INSERT INTO mailfetch_lease VALUES ('kept@example.org', 'old', 5, 7);"
            + " INSERT INTO mailfetch_uid VALUES ('kept@example.org', 'u1', 'D', 1, NULL, 0, NULL,"
            + " NULL, 10, 0)");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JdbcState>> opened = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opened.add(pool.submit(() -> JdbcState.open(ds)));
      }
      for (Future<JdbcState> f : opened) {
        assertEquals(2, f.get().schemaVersion());
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(
        "2|fetch-jdbc (upgrade 1 to 2)",
        TestDatabase.psql(
            "schema_v1", "SELECT version || '|' || written_by FROM mailfetch_schema"));
    assertEquals(
        "mailfetch_account,mailfetch_check_request,mailfetch_fingerprint,mailfetch_first_copy,"
            + "mailfetch_instance,mailfetch_lease,mailfetch_schema,mailfetch_uid",
        TestDatabase.psql(
            "schema_v1",
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables"
                + " WHERE tablename LIKE 'mailfetch%'"));
    assertEquals(
        "old|7|1",
        TestDatabase.psql(
            "schema_v1",
            "SELECT owner || '|' || fencing_token || '|' || (SELECT COUNT(*) FROM mailfetch_uid)"
                + " FROM mailfetch_lease"));
    JdbcState.open(ds); // and a later start finds version 2 as it is
  }

  @Test
  void anUpgradeThatFails_leavesVersion1AsItWas_inOneTransaction() throws Exception {
    DataSource ds = TestDatabase.create("schema_v1_blocked");
    createVersion1("schema_v1_blocked");
    // A table of that name already there (made by hand): the upgrade's CREATE fails.
    TestDatabase.psql("schema_v1_blocked", "CREATE TABLE mailfetch_check_request (x INTEGER)");
    FetchException e = assertThrows(FetchException.class, () -> JdbcState.open(ds));
    assertEquals(FetchError.STATE_FAILED, e.error());
    assertTrue(
        e.detail().startsWith("upgrading mailfetch's state schema from version 1 to 2: "),
        e.detail());
    assertEquals(
        "1|0",
        TestDatabase.psql(
            "schema_v1_blocked",
            "SELECT version || '|' || (SELECT COUNT(*) FROM pg_tables"
                + " WHERE tablename = 'mailfetch_instance') FROM mailfetch_schema"));
  }

  /** A database as fetch-jdbc of schema version 1 made it (schema-1.sql, kept in the jar). */
  private static void createVersion1(String database) throws Exception {
    String sql =
        new String(
            JdbcSchemaTest.class.getResourceAsStream("schema-1.sql").readAllBytes(),
            StandardCharsets.UTF_8);
    TestDatabase.psql(database, "BEGIN; " + sql.replaceAll("(?m)^--.*$", "") + " COMMIT;");
  }

  @Test
  void aDatabaseThatCannotBeReached_isAStateFailure_withTheDatabasesWords() throws Exception {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none");
    nowhere.setConnectTimeout(2);
    FetchException e = assertThrows(FetchException.class, () -> JdbcState.open(nowhere));
    assertEquals(FetchError.STATE_FAILED, e.error());
    assertTrue(e.detail().startsWith("reading mailfetch's schema version: "), e.detail());
    assertTrue(e.serverReply().orElse("").contains("SQLSTATE 08001"), e.toString());
  }

  @Test
  void theStateBuilder_refusesASettingTwice_andATimeoutOutOfRange() throws Exception {
    JdbcState.Builder b =
        JdbcState.builder(TestDatabase.create("schema_builder"))
            .queryTimeout(Duration.ofSeconds(5));
    assertEquals(
        "queryTimeout was already set to PT5S",
        assertThrows(IllegalStateException.class, () -> b.queryTimeout(Duration.ofSeconds(6)))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> JdbcState.builder(new ReusedConnections(null)).queryTimeout(Duration.ofMillis(10)));
  }
}
