package dev.mailfetch.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** One account's world for an engine test: mailbox, sink, store, clock, faults and an event log. */
final class Rig {
  static final String ACCOUNT = "alice@pop.test.invalid";

  final Faults faults = new Faults();
  final List<String> events = new ArrayList<>();
  final TestMailbox mailbox = new TestMailbox(faults, events);
  final FaultySink sink = new FaultySink(InMemorySink.create(), faults, events);
  final FaultyStore store = new FaultyStore(InMemoryUidStore.create(), faults, events);
  final TestClock clock = new TestClock(Instant.parse("2026-11-21T12:00:00Z"));

  /** Adds messages m1..mN, each a small, distinct, realistic message. */
  Rig withMessages(int n) {
    for (int i = 1; i <= n; i++) {
      mailbox.add("m" + i, message(i));
    }
    return this;
  }

  static String message(int i) {
    return "Received: from mx.test.invalid\r\n"
        + "Message-ID: <"
        + i
        + "@test.invalid>\r\n"
        + "Subject: message "
        + i
        + "\r\n"
        + "\r\n"
        + "Body of message "
        + i
        + ".\r\n"
        + "..a stuffed-looking line\r\n";
  }

  Fetcher fetcher(Consumer<Fetcher.Builder> settings) {
    Fetcher.Builder b =
        Fetcher.builder().source(mailbox.source(ACCOUNT)).sink(sink).uidStore(store).clock(clock);
    settings.accept(b);
    return b.build();
  }

  Fetcher fetcher() {
    return fetcher(b -> {});
  }

  /** What a restart after a crash finds in the sink and the store. */
  void crash() {
    sink.crash();
    store.crash();
  }

  /** The sink's messages as text, keyed by unique id (asserting each is there once). */
  Map<String, String> sinkByUid() {
    Map<String, String> out = new HashMap<>();
    for (InMemorySink.StoredMessage m : sink.inner.messages()) {
      String prev = out.put(m.envelope().uid(), new String(m.content(), StandardCharsets.UTF_8));
      if (prev != null) {
        throw new AssertionError("delivered twice: " + m.envelope().uid());
      }
    }
    return out;
  }
}
