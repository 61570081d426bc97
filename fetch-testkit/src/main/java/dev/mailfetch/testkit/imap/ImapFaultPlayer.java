package dev.mailfetch.testkit.imap;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays one session's {@link ImapFault}s where they bite: before a literal (DROP_MID_LITERAL,
 * CONTINUATION_NEVER_COMES), before an APPEND is stored (OVERQUOTA), after it is stored (OK_LOST,
 * BYE_MID_BATCH), and in place of an answer (ENDLESS_UNTAGGED). It counts each verb's commands as
 * their first line arrives.
 */
final class ImapFaultPlayer implements ImapCommandReader.LiteralGate {
  private final List<ImapFault> faults = new ArrayList<>();
  private final Map<String, Integer> seen = new HashMap<>();
  private final AtomicInteger appendedOnServer;
  private final Socket socket;
  private final ImapOutput out;
  private final ImapRecordedSession rec;
  private ImapCommandReader reader;

  ImapFaultPlayer(
      List<ImapFault> all,
      int session,
      AtomicInteger appendedOnServer,
      Socket socket,
      ImapOutput out,
      ImapRecordedSession rec) {
    for (ImapFault f : all) {
      if (f.appliesTo(session)) {
        faults.add(f);
      }
    }
    this.appendedOnServer = appendedOnServer;
    this.socket = socket;
    this.out = out;
    this.rec = rec;
  }

  void reader(ImapCommandReader r) {
    this.reader = r;
  }

  @Override
  public void started(String verb) {
    seen.merge(verb, 1, Integer::sum);
  }

  private int countOf(String verb) {
    return seen.getOrDefault(verb, 0);
  }

  private ImapFault at(ImapFault.Name name, String verb) {
    for (ImapFault f : faults) {
      if (f.name == name && f.verb.equals(verb) && f.count == countOf(verb)) {
        return f;
      }
    }
    return null;
  }

  @Override
  public long beforeLiteral(String verb, int index, long size, boolean sync) throws IOException {
    if (index > 0) {
      return -1;
    }
    ImapFault never = at(ImapFault.Name.CONTINUATION_NEVER_COMES, verb);
    if (never != null && sync) {
      rec.endedBy(never.what());
      reader.drainUntilClosed(socket, ImapFault.MAX_WAIT.toMillis());
      out.end(never.toString());
    }
    ImapFault drop = at(ImapFault.Name.DROP_MID_LITERAL, verb);
    if (drop != null) {
      rec.endedBy(drop.what());
      return size / 2;
    }
    return -1;
  }

  /** NO [OVERQUOTA] is due for storing {@code messages} more messages. */
  boolean overQuota(int messages) {
    for (ImapFault f : faults) {
      if (f.name == ImapFault.Name.OVERQUOTA && appendedOnServer.get() + messages > f.count) {
        return true;
      }
    }
    return false;
  }

  /** Counts messages stored by APPEND on the server. */
  void stored(int messages) {
    appendedOnServer.addAndGet(messages);
  }

  /** OK_LOST: the APPEND just stored ends the session before its tagged OK. */
  void afterStoredBeforeOk() throws IOException {
    ImapFault lost = at(ImapFault.Name.OK_LOST, "APPEND");
    if (lost != null) {
      rec.endedBy(lost.what());
      out.end(lost.toString());
    }
  }

  /** BYE_MID_BATCH: after the APPEND's tagged OK, BYE and close. */
  void afterOk() throws IOException {
    ImapFault bye = at(ImapFault.Name.BYE_MID_BATCH, "APPEND");
    if (bye != null) {
      rec.endedBy(bye.what());
      out.line("* BYE [UNAVAILABLE] Server shutting down");
      out.end(bye.toString());
    }
  }

  /** STARTTLS_INJECTION: the forged line to send with STARTTLS's OK, or null. */
  String injectedAfterStarttls() {
    ImapFault f = at(ImapFault.Name.STARTTLS_INJECTION, "STARTTLS");
    if (f == null) {
      return null;
    }
    rec.endedBy(f.what());
    return "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] forged before TLS";
  }

  /** ENDLESS_UNTAGGED or HUGE_LITERAL in place of the answer to this command of {@code verb}. */
  void beforeAnswer(String verb) throws IOException {
    ImapFault huge = at(ImapFault.Name.HUGE_LITERAL, verb);
    if (huge != null) {
      rec.endedBy(huge.what());
      out.raw("* 1 FETCH (UID 1 BODY[] {1099511627776}\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'x');
      long deadline = System.nanoTime() + ImapFault.MAX_WAIT.toNanos();
      for (long sent = 0;
          sent < ImapFault.ENDLESS_BYTE_BUDGET && System.nanoTime() < deadline;
          sent += chunk.length) {
        out.raw(chunk);
      }
      out.end(huge + ": budget used up");
    }
    ImapFault endless = at(ImapFault.Name.ENDLESS_UNTAGGED, verb);
    if (endless == null) {
      return;
    }
    rec.endedBy(endless.what());
    long deadline = System.nanoTime() + ImapFault.MAX_WAIT.toNanos();
    long sent = 0;
    long n = 0;
    while (sent < ImapFault.ENDLESS_BYTE_BUDGET && System.nanoTime() < deadline) {
      StringBuilder chunk = new StringBuilder();
      for (int i = 0; i < 64; i++) {
        chunk.append("* OK Still working on it (").append(++n).append(")\r\n");
      }
      byte[] b = chunk.toString().getBytes(StandardCharsets.US_ASCII);
      out.raw(b);
      sent += b.length;
    }
    out.end(endless + ": budget used up");
  }
}
