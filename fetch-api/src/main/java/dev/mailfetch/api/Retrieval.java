package dev.mailfetch.api;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link FetchSession#retrieve} call asks for: the messages of this batch, in order, the
 * ones the caller will ask for next, and the line ends it wants the bytes in.
 *
 * <p>Made with {@link #of} and refined with {@link #followedBy} and {@link #withLineEnding}, each
 * of which returns a new value: {@code Retrieval.of(batch).followedBy(next).withLineEnding(LF)}.
 * Checked when made, so that a source never sees a null.
 *
 * @param batch the messages to retrieve now, in this order (a copy)
 * @param following the messages the caller will ask for after this batch, in that order, in one or
 *     more further calls: their batches laid end to end make {@code following}, or begin it. Empty
 *     when the caller does not know or will stop. Not copied, as it can be long and a source reads
 *     only as far as its window of requests reaches: an unmodifiable view of the caller's list,
 *     which the caller does not change while the call runs.
 * @param lineEnding the line ends the handler is to receive each message with
 */
public record Retrieval(List<MessageRef> batch, List<MessageRef> following, LineEnding lineEnding) {
  /**
   * Checks the components and keeps a copy of {@code batch} and a read-only view of {@code
   * following}.
   *
   * @param batch the messages to retrieve now, in this order
   * @param following the messages the caller will ask for after this batch, in that order
   * @param lineEnding the line ends the handler is to receive each message with
   * @throws NullPointerException if a component, or a message of {@code batch}, is null
   */
  public Retrieval {
    batch = List.copyOf(batch);
    following = Collections.unmodifiableList(Objects.requireNonNull(following, "following"));
    Objects.requireNonNull(lineEnding, "lineEnding");
  }

  /**
   * A request for {@code batch}, with nothing announced to follow and the bytes as sent ({@link
   * LineEnding#CRLF}).
   *
   * @throws NullPointerException if {@code batch} or a message in it is null
   */
  public static Retrieval of(List<MessageRef> batch) {
    return new Retrieval(batch, List.of(), LineEnding.CRLF);
  }

  /**
   * This request, announcing that the caller will then ask for {@code following}, in that order
   * (see {@link FetchSession#retrieve}).
   *
   * @throws NullPointerException if {@code following} is null
   */
  public Retrieval followedBy(List<MessageRef> following) {
    return new Retrieval(batch, following, lineEnding);
  }

  /**
   * This request, with the message bytes wanted in {@code lineEnding}.
   *
   * @throws NullPointerException if {@code lineEnding} is null
   */
  public Retrieval withLineEnding(LineEnding lineEnding) {
    return new Retrieval(batch, following, lineEnding);
  }

  /**
   * For a source that reads CRLF and cannot change line ends while it reads: the handler to give
   * the bytes as sent, so that {@code handler} receives them in {@link #lineEnding()}. For {@link
   * LineEnding#LF} it makes each CRLF LF, cutting the lent slices around each CR (a CR at the end
   * of a slice is held until the next byte shows whether an LF follows); for {@link
   * LineEnding#CRLF} it is {@code handler} itself. A source that can should convert while it reads
   * instead, as the POP3 source does, and hand its bytes to {@code handler} directly.
   */
  public MessageHandler convertingFromCrlf(MessageHandler handler) {
    Objects.requireNonNull(handler, "handler");
    return lineEnding == LineEnding.LF ? new LfHandler(handler) : handler;
  }
}
