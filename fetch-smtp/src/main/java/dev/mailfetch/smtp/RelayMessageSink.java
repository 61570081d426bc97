package dev.mailfetch.smtp;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.smtp.internal.RelaySink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What {@link LmtpSink} and {@link SmtpSink} do alike: each hands its work to the one {@link
 * RelaySink}, which speaks LMTP or SMTP as its settings say.
 */
abstract class RelayMessageSink implements MessageSink {
  final RelaySink core;

  RelayMessageSink(RelaySink core) {
    this.core = core;
  }

  /**
   * Connects, secures, greets, logs in where credentials were given, and offers each recipient
   * (RCPT without DATA, then RSET): the steps that passed, in plain words. The {@code mailfetch
   * doctor} command calls it.
   *
   * @throws FetchException the typed error of the first step that failed
   */
  public List<String> check() throws FetchException {
    List<String> steps = new ArrayList<>();
    check(steps::add);
    return steps;
  }

  /**
   * As {@link #check()}, each step told to {@code passed} as it passes: a failure then still shows
   * what worked before it (the server reached, TLS, the login), as {@code mailfetch doctor --to}
   * prints it.
   *
   * @throws FetchException the typed error of the first step that failed, after the steps before it
   *     were told
   */
  public void check(Consumer<String> passed) throws FetchException {
    core.check(Objects.requireNonNull(passed, "passed"));
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    return core.begin(envelope);
  }

  @Override
  public boolean contains(DeliveryKey key) throws IOException {
    return core.contains(key);
  }

  @Override
  public void sync() throws IOException {
    core.sync();
  }

  /** {@link LineEnding#LF}: each line end goes out as CRLF, so the sink needs to know only LF. */
  @Override
  public LineEnding lineEnding() {
    return LineEnding.LF;
  }

  @Override
  public void close() throws IOException {
    core.close();
  }
}
