package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three IMAP builders ({@code ImapSource}, {@code ImapAppendSink}, {@code ImapDoctor}) share
 * one set of connection rules: each setting checked when given, refused the second time in the same
 * words, trust given one way only. And the source's default account, which is not a POP3 source's
 * of the same mailbox.
 */
class ImapBuildersTest {
  private static final TestCertificates CERTS = TestCertificates.generate();

  /** One builder seen through its connection settings, whichever of the three it is. */
  private record Connection(
      Consumer<String> host,
      IntConsumer port,
      Consumer<String> user,
      Consumer<Supplier<String>> password,
      Consumer<Path> trustPem,
      Runnable sslContextOfTheTestCa) {}

  private static List<Supplier<Connection>> builders() {
    return List.of(
        () -> {
          ImapSource.Builder b = ImapSource.builder();
          return new Connection(
              b::host, b::port, b::user, b::password, b::trustPem, () -> b.sslContext(ssl()));
        },
        () -> {
          ImapAppendSink.Builder b = ImapAppendSink.builder();
          return new Connection(
              b::host, b::port, b::user, b::password, b::trustPem, () -> b.sslContext(ssl()));
        },
        () -> {
          ImapDoctor.Builder b = ImapDoctor.builder();
          return new Connection(
              b::host, b::port, b::user, b::password, b::trustPem, () -> b.sslContext(ssl()));
        });
  }

  private static SSLContext ssl() {
    return CERTS.clientContext();
  }

  @Test
  void aConnectionSettingGivenTwice_isRefused_inTheSameWords_byEachBuilder() {
    for (Supplier<Connection> builder : builders()) {
      Connection c = builder.get();
      c.host().accept("Imap.Example.ORG");
      c.port().accept(1143);
      assertEquals(
          "host was already set to imap.example.org",
          assertThrows(IllegalStateException.class, () -> c.host().accept("x")).getMessage());
      assertEquals(
          "port was already set to 1143",
          assertThrows(IllegalStateException.class, () -> c.port().accept(993)).getMessage());
      c.password().accept(() -> "secret");
      String again =
          assertThrows(IllegalStateException.class, () -> c.password().accept(() -> "other"))
              .getMessage();
      assertEquals("password was already set", again, "the value of a secret is never shown");
    }
  }

  @Test
  void aLineBreakInHostOrUser_andTwoWaysOfTrust_areRefused_byEachBuilder(@TempDir Path dir)
      throws Exception {
    Path pem = CERTS.writeCaPem(dir);
    Path notPem = Files.writeString(dir.resolve("not.pem"), "no certificate here");
    for (Supplier<Connection> builder : builders()) {
      assertThrows(
          IllegalArgumentException.class, () -> builder.get().host().accept("imap\r\n.example"));
      assertThrows(IllegalArgumentException.class, () -> builder.get().user().accept("a\nb"));
      Connection pemFirst = builder.get();
      pemFirst.trustPem().accept(pem);
      assertTrue(
          assertThrows(IllegalStateException.class, pemFirst.sslContextOfTheTestCa()::run)
              .getMessage()
              .startsWith("sslContext cannot be combined with trustPem"));
      Connection contextFirst = builder.get();
      contextFirst.sslContextOfTheTestCa().run();
      assertThrows(IllegalStateException.class, () -> contextFirst.trustPem().accept(pem));
      assertThrows(IllegalArgumentException.class, () -> builder.get().trustPem().accept(notPem));
    }
  }

  @Test
  void theDefaultAccount_isImapsOwn_apartFromPop3s_andAsTheCommandNamesIt() {
    Function<ImapSource.Builder, String> account =
        b -> b.user("alice").password(() -> "pw").build().account();
    assertEquals(
        "imap:alice@mail.example.org",
        account.apply(ImapSource.builder().host("Mail.Example.org.")));
    assertEquals(
        "imap:alice@mail.example.org",
        account.apply(
            ImapSource.builder()
                .host("mail.example.org")
                .port(143)
                .security(ImapSecurity.STARTTLS)),
        "993 and 143 reach one mailbox");
    assertEquals(
        "imap:alice@localhost:1143",
        account.apply(ImapSource.builder().host("localhost").port(1143)));
    assertEquals(
        "imap:alice@[::1]:1143", account.apply(ImapSource.builder().host("[0:0::1]").port(1143)));
    assertEquals(
        "imap:alice@xn--bcher-kva.example",
        account.apply(ImapSource.builder().host("bücher.example")));
    Pop3Source pop3 =
        Pop3Source.builder().host("mail.example.org").user("alice").password(() -> "pw").build();
    assertNotEquals(pop3.account(), account.apply(ImapSource.builder().host("mail.example.org")));
    assertEquals(
        "own", account.apply(ImapSource.builder().host("mail.example.org").account("own")));
  }

  @Test
  void aDoctorOfASource_refusesConnectionSettingsOfItsOwn() {
    ImapSource s =
        ImapSource.builder()
            .host("imap.example.org")
            .user("alice")
            .password(() -> "pw")
            .folders(ImapFolders.named("Lists"))
            .build();
    ImapDoctor.Builder d = ImapDoctor.builder().source(s);
    assertTrue(
        assertThrows(IllegalStateException.class, () -> d.host("other.example.org"))
            .getMessage()
            .startsWith("host cannot be combined with source"));
    assertThrows(IllegalStateException.class, () -> d.folders(ImapFolders.inbox()));
    assertThrows(IllegalStateException.class, () -> d.source(s));
    assertThrows(
        IllegalStateException.class, () -> ImapDoctor.builder().port(993).source(s), "after");
    assertThrows(
        IllegalStateException.class,
        () -> ImapDoctor.builder().folders(ImapFolders.inbox()).source(s));
    d.timeout(Duration.ofSeconds(1)).build(); // its own settings stay its own
  }
}
