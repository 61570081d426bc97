package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Carries message bytes from a request into a body, and applies the cut and slow faults at the
 * right byte. Offsets are the message's (a resumable chunk starts where the last one ended).
 */
final class Meter {
  /**
   * When the message being received gets cut or slowed: one per message (per resumable session).
   */
  static final class Plan {
    boolean decided;
    long cutAt = -1;
    InjectedFault cutFault;
  }

  private final FakeGmailServer server;
  private final Call call;
  private final ReceivedBody body;
  private final Plan plan;
  private final long expected;
  private long offset;

  Meter(FakeGmailServer server, Call call, ReceivedBody body, Plan plan, long offset, long expected)
      throws IOException {
    this.server = server;
    this.call = call;
    this.body = body;
    this.plan = plan;
    this.offset = offset;
    this.expected = expected;
    if (!plan.decided) {
      decide(null);
    }
  }

  void write(byte[] b, int off, int len) throws IOException {
    if (plan.cutAt >= 0 && offset + len > plan.cutAt) {
      int before = (int) (plan.cutAt - offset);
      body.write(b, off, before);
      offset += before;
      plan.cutAt = -1;
      call.fault = GmailFault.CONNECTION_CUT_MID_UPLOAD;
      throw call.cut();
    }
    body.write(b, off, len);
    offset += len;
    if (body.size() > server.maxMessageSize()) {
      throw new TooLarge();
    }
    if (!plan.decided && offset >= FaultRule.MESSAGE_MATCH_WINDOW) {
      decide(body.head(FaultRule.MESSAGE_MATCH_WINDOW));
    }
  }

  void end() throws IOException {
    end(true);
  }

  void end(boolean messageComplete) throws IOException {
    if (!plan.decided && messageComplete) {
      decide(body.head(FaultRule.MESSAGE_MATCH_WINDOW));
      if (plan.cutAt >= 0 && plan.cutAt <= offset) {
        plan.cutAt = -1;
        call.fault = GmailFault.CONNECTION_CUT_MID_UPLOAD;
        throw call.cut();
      }
    }
  }

  /**
   * Claims a cut or slow fault for this message: without a head, only those with no message
   * condition.
   */
  private void decide(byte[] head) throws IOException {
    GmailEndpoint at = GmailEndpoint.IMPORT;
    // Rules without a message condition are decided when the message starts, the others once its
    // head is in.
    boolean withCondition = head != null;
    InjectedFault slow =
        server.faults.claim(at, call.account, head, withCondition, GmailFault.SLOW_UPLOAD);
    if (slow != null) {
      call.fault = GmailFault.SLOW_UPLOAD;
      Duration half = slow.rule().delay.dividedBy(2);
      call.exchange.setAttribute("fake.lateAnswer", slow.rule().delay.minus(half));
      sleep(half);
    }
    InjectedFault cut =
        server.faults.claim(
            at, call.account, head, withCondition, GmailFault.CONNECTION_CUT_MID_UPLOAD);
    if (cut != null) {
      long after =
          cut.rule().afterBytes >= 0
              ? cut.rule().afterBytes
              : expected > 0 ? expected / 2 : FaultRule.MESSAGE_MATCH_WINDOW;
      plan.cutAt = Math.max(after, offset);
      plan.cutFault = cut;
      plan.decided = true;
    }
    if (head != null) {
      plan.decided = true;
    }
  }

  static void lateAnswer(Call call) {
    Object late = call.exchange.getAttribute("fake.lateAnswer");
    if (late instanceof Duration) {
      sleep((Duration) late);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void copy(InputStream in, Meter meter) throws IOException {
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      meter.write(buf, 0, n);
    }
  }

  /** A message past the size limit: the request is answered 413. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("message larger than the limit");
    }
  }
}
