package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.spool.MessageSpool;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The work of {@code LmtpSink} and {@code SmtpSink}: each message spooled while it is written
 * ({@link MessageSpool}), sent at {@code complete} over one session kept open between messages
 * ({@link SmtpSession}, {@link MailTransaction}), its intent and the server's {@code 250} recorded
 * in the {@link DeliveryJournal}, so that {@code contains} knows what was delivered. {@code
 * complete} returns only after the server answered, so {@code sync} has only the journal left to
 * force.
 *
 * <p>LMTP's partial success: the recipients that took a message are recorded, and the message is
 * sent again (it stays on the POP3 server) to the others alone.
 */
public final class RelaySink {
  private final Settings s;
  private DeliveryJournal journal;
  private SmtpSession session;
  private boolean closed;

  public RelaySink(Settings settings) {
    this.s = settings;
  }

  /**
   * Checks the server: connects, secures, greets, logs in and offers each recipient, each step told
   * to {@code passed} as it passes ({@link RelayCheck}).
   */
  public void check(Consumer<String> passed) throws FetchException {
    RelayCheck.check(s, passed);
  }

  public synchronized Delivery begin(Envelope envelope) throws IOException {
    requireOpen();
    return new RelayDelivery(new MessageSpool(null, s.limits().spoolInMemory()));
  }

  public synchronized boolean contains(DeliveryKey key) throws IOException {
    requireOpen();
    return journal().delivered(key);
  }

  /** Keys the journal holds in doubt: sent, with no 250 recorded (the crash test counts them). */
  public synchronized Set<String> inDoubt() throws IOException {
    return journal().inDoubt();
  }

  public synchronized void sync() throws IOException {
    requireOpen();
    journal().force();
  }

  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (session != null) {
      session.close();
      session = null;
    }
    if (journal != null) {
      journal.close();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the " + s.protocol() + " sink is closed");
    }
  }

  private DeliveryJournal journal() throws IOException {
    if (journal == null) {
      journal =
          s.journal() != null ? DeliveryJournal.open(s, s.journal()) : DeliveryJournal.inMemory(s);
    }
    return journal;
  }

  private synchronized DeliveryReceipt send(DeliveryKey key, MessageSpool spool)
      throws IOException {
    requireOpen();
    DeliveryJournal j = journal();
    if (j.delivered(key)) {
      return new DeliveryReceipt(key, spool.size(), true);
    }
    Set<String> done = j.recipientsDone(key);
    List<String> recipients = new ArrayList<>();
    for (String r : s.recipients()) {
      if (!done.contains(r)) {
        recipients.add(r);
      }
    }
    String sender = s.sender();
    if (sender == null) {
      String rp = Addresses.returnPath(spool.headerText());
      sender = rp == null ? "" : rp;
    }
    if (session == null) {
      session = SmtpSession.open(s, new ArrayList<>());
    }
    j.intent(key);
    MailTransaction.Answers answers;
    try {
      answers = MailTransaction.send(session, sender, recipients, spool);
    } catch (FetchException e) {
      if (e.getCause() instanceof ConnectException) {
        dropSession();
      }
      throw e;
    }
    Reply worst = null;
    String worstRecipient = null;
    List<String> took = new ArrayList<>();
    for (int i = 0; i < recipients.size(); i++) {
      Reply r = answers.replies().get(i);
      if (r.positive()) {
        took.add(recipients.get(i));
      } else if (worst == null || r.code() == 421 || (r.transient4xx() && worst.permanent5xx())) {
        worst = r;
        worstRecipient = recipients.get(i);
      }
    }
    if (worst == null) {
      j.delivered(key, true);
      return new DeliveryReceipt(key, spool.size(), false);
    }
    if (s.lmtp()) {
      for (String r : took) {
        j.recipientTook(key, r);
      }
    }
    String step = "the message's end" + (s.lmtp() ? " (for " + worstRecipient + ")" : "");
    if (worst.code() == 421) {
      dropSession();
      throw Failures.sessionLost(s, "ended the session at " + step, worst, null);
    }
    throw worst.transient4xx()
        ? Failures.deferred(s, step, worst)
        : Failures.rejected(s, step, worst);
  }

  private void dropSession() {
    if (session != null) {
      session.closeQuietly();
      session = null;
    }
  }

  @Override
  public String toString() {
    return s.toString();
  }

  /** One message on its way: spooled, then sent at {@link #complete}. */
  private final class RelayDelivery implements Delivery {
    private final MessageSpool spool;
    private boolean ended;

    RelayDelivery(MessageSpool spool) {
      this.spool = spool;
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
      if (ended) {
        throw new IllegalStateException("the delivery was completed or aborted");
      }
      try {
        spool.write(bytes);
      } catch (IOException e) {
        spool.close();
        throw new FetchException(
            FetchError.SINK_FAILED,
            "cannot spool the message for the " + s.protocol() + " server: " + e.getMessage(),
            e);
      }
    }

    @Override
    public DeliveryReceipt complete(DeliveryKey key) throws IOException {
      if (ended) {
        throw new IllegalStateException("the delivery was completed or aborted");
      }
      ended = true;
      try {
        return send(key, spool);
      } finally {
        spool.close();
      }
    }

    @Override
    public void abort() {
      ended = true;
      spool.close();
    }
  }
}
