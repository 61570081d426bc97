package dev.mailfetch.cli;

import static dev.mailfetch.cli.ArgumentsTest.assertBadArgument;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Delivery into a mail server named by --to ({@code imaps://}, {@code imap://}, {@code lmtp://},
 * {@code lmtp:/socket}, {@code smtp://}, {@code smtps://}): what each URL says, and every bad URL
 * or option refused with exit 2 in one line naming the option, nothing created and nothing
 * connected (the port named is closed).
 */
@Timeout(60)
class SinkArgumentsTest {
  @TempDir Path tmp;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PW", "pw");
    env.put("SINK_PW", "sink-secret");
    env.put("HOME", tmp.resolve("home").toString());
    return env;
  }

  private FetchCommandTest.Run mailfetch(String... args) {
    return FetchCommandTest.mailfetch(env(), args);
  }

  private String[] fetch(String... more) {
    String[] base = {"fetch", "pop3s://alice@localhost:1", "--password-env", "PW"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private void refused(String expected, String... args) {
    assertBadArgument(mailfetch(args), expected, args);
    assertFalse(Files.exists(tmp.resolve("home")), "nothing created: " + String.join(" ", args));
  }

  @Test
  void eachServerUrl_saysItsKindUserHostPortAndFolder() {
    assertEquals(
        new SinkUrl(SinkUrl.Kind.IMAPS, "alice", "mail.example.org", 0, null, "INBOX"),
        SinkUrl.parse("imaps://alice@mail.example.org"));
    assertEquals(
        new SinkUrl(SinkUrl.Kind.IMAP, "me@example.org", "h", 1143, null, "Lists/Java Dev+x"),
        SinkUrl.parse("IMAP://me%40example.org@h:1143/Lists/Java%20Dev+x"));
    assertEquals(
        new SinkUrl(SinkUrl.Kind.LMTP, null, "localhost", 24, null, null),
        SinkUrl.parse("lmtp://localhost:24"));
    assertEquals(
        new SinkUrl(SinkUrl.Kind.LMTP, null, null, 0, Path.of("/run/dovecot/lmtp"), null),
        SinkUrl.parse("lmtp:/run/dovecot/lmtp"));
    assertEquals(
        new SinkUrl(SinkUrl.Kind.SMTP, null, "mx.example.org", 0, null, null),
        SinkUrl.parse("smtp://mx.example.org/"));
    assertEquals(
        new SinkUrl(SinkUrl.Kind.SMTPS, "bob", "::1", 465, null, null),
        SinkUrl.parse("smtps://bob@[::1]:465"));
    assertTrue(SinkUrl.kindOf("maildir:./Mail").isEmpty());
    assertTrue(SinkUrl.kindOf("gmail:me@gmail.com").isEmpty());
  }

  @Test
  void whatIsNotAServerUrl_isRefusedInTheWordsOfTo() {
    String[][] cases = {
      {"imaps://mail.example.org/INBOX", "needs a user name before the host"},
      {"imap://alice:pw@h", "--sink-password-env NAME or --sink-password-file FILE"},
      {"lmtp:relative/socket", "lmtp:/path/to/socket"},
      {"lmtp:///run/x", "one slash"},
      {"smtp://h/INBOX", "--recipient"},
      {"imaps://a@h/IN?x", "query or fragment"},
      {"imaps://a@h:99999", "ports go from 1 to 65535"},
      {"smtp:h", "smtp://[user@]host[:port]"},
      {"imaps://a@h//x", "empty part"},
      {"imaps://a%0D%0A@h", "CR, LF or NUL"},
      {"lmtp://", "needs a host"}
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SinkUrl.parse(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith("--to \""), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void anImapSink_withoutASecret_namesTheSinkSecretOptions() {
    refused("--sink-password-env NAME", fetch("--to", "imaps://alice@localhost:2/INBOX"));
  }

  @Test
  void lmtpAndSmtp_withoutARecipient_sayHowToGiveOne() {
    refused("--recipient ADDRESS", fetch("--to", "lmtp://localhost:2"));
    refused("--recipient ADDRESS", fetch("--to", "smtp://localhost:2"));
  }

  @Test
  void sinkOptions_withAnotherSink_areRefusedNamingTheOption() {
    refused("--recipient is for a mail server sink", fetch("--recipient", "a@b.org"));
    refused(
        "--sink-password-env is for a mail server sink",
        fetch("--to", "gmail:me@gmail.com", "--sink-password-env", "SINK_PW"));
    refused(
        "--recipient is for lmtp: and smtp(s)://",
        fetch(
            "--to",
            "imaps://alice@localhost:2",
            "--sink-password-env",
            "SINK_PW",
            "--recipient",
            "a@b.org"));
    refused(
        "--never-spam is for --to gmail:ADDRESS; --to smtp://localhost:2 delivers to a mail server",
        fetch("--to", "smtp://localhost:2", "--recipient", "a@b.org", "--never-spam"));
  }

  @Test
  void labels_withLmtpOrSmtp_areRefusedRatherThanDropped() {
    refused(
        "--label, --label-rule and --archive file mail into folders",
        fetch("--to", "smtp://localhost:2", "--recipient", "a@b.org", "--label", "Work"));
    refused(
        "hands it to recipients",
        fetch("--to", "lmtp:/run/lmtp", "--recipient", "alice@example.org", "--archive"));
  }

  @Test
  void plaintextAndTls_areOptedOutOfOnlyOnPurpose() {
    refused(
        "--sink-allow-plaintext-auth",
        fetch(
            "--to",
            "imap://alice@localhost:2",
            "--sink-password-env",
            "SINK_PW",
            "--sink-tls",
            "none"));
    refused(
        "Unix socket",
        fetch(
            "--to",
            "lmtp:/run/lmtp",
            "--recipient",
            "alice@example.org",
            "--sink-tls",
            "starttls"));
    refused(
        "--sink-tls tls13 is not a mode",
        fetch("--to", "smtp://localhost:2", "--recipient", "a@b.org", "--sink-tls", "tls13"));
    refused(
        "no TLS is spoken",
        fetch(
            "--to",
            "smtp://localhost:2",
            "--recipient",
            "a@b.org",
            "--sink-tls",
            "none",
            "--sink-trust-pem",
            "x.pem"));
  }

  @Test
  void sinkSecretsAndFiles_areCheckedBeforeAnythingIsOpened() {
    refused(
        "--sink-password-env NOPE: that environment variable is not set",
        fetch("--to", "imaps://alice@localhost:2", "--sink-password-env", "NOPE"));
    refused(
        "--sink-password-file " + tmp.resolve("none"),
        fetch(
            "--to",
            "imaps://alice@localhost:2",
            "--sink-password-file",
            tmp.resolve("none").toString()));
    refused(
        "--sink-trust-pem " + tmp.resolve("ca.pem") + ": no such file",
        fetch(
            "--to",
            "imaps://alice@localhost:2",
            "--sink-password-env",
            "SINK_PW",
            "--sink-trust-pem",
            tmp.resolve("ca.pem").toString()));
    Path notPem = tmp.resolve("not.pem");
    try {
      Files.writeString(notPem, "not a certificate\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    refused(
        "--sink-trust-pem " + notPem + ": holds no certificate",
        fetch(
            "--to",
            "smtps://localhost:2",
            "--recipient",
            "a@b.org",
            "--sink-trust-pem",
            notPem.toString()));
    refused(
        "names no user to log in as",
        fetch(
            "--to",
            "smtp://localhost:2",
            "--recipient",
            "a@b.org",
            "--sink-password-env",
            "SINK_PW"));
    refused(
        "--sink-password-env and --sink-password-file exclude each other",
        fetch(
            "--to",
            "imaps://alice@localhost:2",
            "--sink-password-env",
            "SINK_PW",
            "--sink-password-file",
            "f"));
  }

  @Test
  void recipientsAndSender_areAddresses_eachGivenOnce() {
    refused(
        "--recipient \"a b@x.org\": not an address",
        fetch("--to", "smtp://localhost:2", "--recipient", "a b@x.org"));
    refused( // a local user alone is LMTP's (SinkDeliveryTest): an SMTP relay needs the domain
        "--recipient \"alice\": not an address",
        fetch("--to", "smtp://localhost:2", "--recipient", "alice"));
    refused(
        "--recipient \"al ice\": not an address",
        fetch("--to", "lmtp://localhost:2", "--recipient", "al ice"));
    refused(
        "--recipient A@x.org is given twice",
        fetch("--to", "smtp://localhost:2", "--recipient", "a@x.org", "--recipient", "A@x.org"));
    refused(
        "--sender \"<a@x.org>\": not an address",
        fetch(
            "--to",
            "lmtp://localhost:2",
            "--recipient",
            "alice@example.org",
            "--sender",
            "<a@x.org>"));
  }

  @Test
  void theDoctorOfASink_refusesWhatDoesNotFit() {
    refused(
        "the doctor checks a mail server sink", "doctor", "--to", "maildir:" + tmp.resolve("m"));
    refused(
        "not both",
        "doctor",
        "pop3s://a@localhost:2",
        "--to",
        "smtp://localhost:2",
        "--recipient",
        "a@b.org");
    refused(
        "--sink-password-env is for doctor --to SINK",
        "doctor",
        "pop3s://a@localhost:2",
        "--sink-password-env",
        "SINK_PW");
    refused(
        "the POP3 and Gmail options",
        "doctor",
        "--to",
        "smtp://localhost:2",
        "--recipient",
        "a@b.org",
        "--ca-file",
        "x.pem");
    refused("--account names an account of --config FILE", "doctor", "--account", "work");
  }

  @Test
  void aConfigAccount_takesTheSinkOptionsAsKeys_andSaysItsProblemInTheFilesWords()
      throws IOException {
    Path file =
        Files.writeString(
            tmp.resolve("accounts.properties"),
            "work.url = pop3s://alice@localhost:1\n"
                + "work.password-env = PW\n"
                + "work.to = smtp://localhost:2\n"
                + "work.recipient.1 = a@b.org\n"
                + "work.recipient.2 = c@d.org\n"
                + "work.sink-tls = nonsense\n");
    FetchCommandTest.Run r = mailfetch("fetch", "--config", file.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("work.sink-tls = nonsense"), r.err());
    FetchCommand one = new FetchCommand();
    new CommandLine(one)
        .parseArgs(
            AccountsFile.args(
                    AccountsFile.load(file, new CommandLine(new FetchCommand())).get("work"),
                    List.of())
                .toArray(new String[0]));
    assertEquals(List.of("a@b.org", "c@d.org"), one.sink.recipients);
    assertNull(one.sink.secret);
    FetchCommandTest.Run doctor =
        mailfetch("doctor", "--config", file.toString(), "--account", "work");
    assertEquals(2, doctor.exit(), doctor.err());
    assertTrue(doctor.err().contains("account work in " + file), doctor.err());
    assertTrue(doctor.err().contains("--sink-tls nonsense is not a mode"), doctor.err());
  }
}
