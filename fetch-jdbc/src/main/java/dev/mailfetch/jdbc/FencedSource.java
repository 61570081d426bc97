package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.ForwardingFetchSession;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.MessageRef;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source whose sessions open, and whose deletions are sent, only while this instance is sure by
 * its own clock that it holds the account's lease. The fencing token stops every state write of an
 * instance that lost its lease, but a mail server knows no token: an instance paused past its lease
 * (a long GC, SIGSTOP, a partition) that wakes up mid-run could otherwise start a session beside
 * the new holder's, or send its {@code DELE}s. So the {@link Hold} is asked before a session opens,
 * before deletions are sent and before the {@code QUIT} that commits POP3's deletions; where it
 * fails the session opens not ({@code LOCKED}: a poll puts the check off), the deletions are not
 * sent, or the session ends without {@code QUIT} (nothing deleted). What remains is the instant
 * between the question and the bytes on the wire (docs/scale.md, "Failure modes").
 */
public final class FencedSource implements FetchSource {
  private static final Logger log = LoggerFactory.getLogger(FencedSource.class);

  /** Whether this instance may still act for the account. */
  @FunctionalInterface
  public interface Hold {
    /**
     * Returns where this instance is sure it holds the lease now.
     *
     * @throws FetchException {@code LOCKED} saying why it is not sure
     */
    void require() throws FetchException;
  }

  private final FetchSource source;
  private final Hold hold;

  /**
   * How long after a taking or renewal of a lease of {@code leaseTime} starts an instance may act
   * on it: the lease time less a sixth of it (at least half a second), so that what it starts at
   * the end reaches the server before another instance may take the account.
   */
  public static Duration sureFor(Duration leaseTime) {
    long ms = leaseTime.toMillis();
    return Duration.ofMillis(ms - Math.max(500, ms / 6));
  }

  private FencedSource(FetchSource source, Hold hold) {
    this.source = source;
    this.hold = hold;
  }

  /** {@code source} fenced by {@code hold}. */
  public static FencedSource of(FetchSource source, Hold hold) {
    return new FencedSource(
        Objects.requireNonNull(source, "source"), Objects.requireNonNull(hold, "hold"));
  }

  @Override
  public String account() {
    return source.account();
  }

  @Override
  public FetchSession open() throws FetchException {
    hold.require();
    FetchSession session = source.open();
    return new ForwardingFetchSession(session) {
      @Override
      public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
        hold.require(); // thrown, the run ends without QUIT: nothing is deleted
        return super.delete(messages);
      }

      @Override
      public boolean quit() {
        try {
          hold.require();
        } catch (FetchException e) {
          log.warn("{} - ending the session without QUIT: {}", account(), e.getMessage());
          super.close();
          return false; // the deletions marked are not committed: tried again by the holder
        }
        return super.quit();
      }
    };
  }

  @Override
  public Optional<MailPush> push() {
    return source.push(); // a watch changes nothing on the server
  }

  @Override
  public String toString() {
    return source.toString();
  }
}
