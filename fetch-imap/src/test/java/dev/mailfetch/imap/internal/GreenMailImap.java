package dev.mailfetch.imap.internal;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailfetch.api.internal.sasl.Password;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * GreenMail's IMAP and IMAPS in the JVM on free ports, presenting the test CA's certificate for
 * localhost, with one user.
 */
final class GreenMailImap implements AutoCloseable {
  static final TestCertificates CERTS = TestCertificates.generate();
  static final String USER = "alice";
  static final String PASSWORD = "greenmail-pw";

  final GreenMail greenMail;
  final GreenMailUser user;

  GreenMailImap() {
    try {
      Path keystore = Files.createTempFile("i19-imapcore-greenmail", ".p12");
      CERTS.writeServerKeyStore(TestCertificates.Profile.VALID, keystore, "changeit".toCharArray());
      System.setProperty("greenmail.tls.keystore.file", keystore.toString());
      System.setProperty("greenmail.tls.keystore.password", "changeit");
      System.setProperty("greenmail.tls.key.password", "changeit");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              ServerSetupTest.IMAP.dynamicPort(), ServerSetupTest.IMAPS.dynamicPort()
            });
    greenMail.start();
    user = greenMail.setUser("alice@localhost", USER, PASSWORD);
  }

  int imapPort() {
    return greenMail.getImap().getServerSetup().getPort();
  }

  int imapsPort() {
    return greenMail.getImaps().getServerSetup().getPort();
  }

  /** Plain IMAP, plain text allowed (GreenMail has no STARTTLS). */
  ImapSettings plain() {
    return settings(imapPort(), ImapSecurity.NONE, () -> PASSWORD);
  }

  /** IMAPS trusting the test CA. */
  ImapSettings implicitTls() {
    return new ImapSettings(
        "localhost",
        imapsPort(),
        ImapSecurity.IMPLICIT_TLS,
        CERTS.clientContext(),
        ImapLimits.defaults(),
        USER,
        () -> PASSWORD,
        null,
        false,
        null);
  }

  ImapSettings settings(int port, ImapSecurity security, Password password) {
    return new ImapSettings(
        "127.0.0.1",
        port,
        security,
        CERTS.clientContext(),
        ImapLimits.defaults(),
        USER,
        password,
        null,
        true,
        null);
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
