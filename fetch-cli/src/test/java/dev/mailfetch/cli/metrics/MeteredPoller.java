package dev.mailfetch.cli.metrics;

import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.Poller;
import java.time.Duration;

/**
 * The metrics tests' one set-up: a poller whose listener is a {@link PollMetrics} attached to it,
 * its checks an hour apart so that only the checks a test asks for run (no timer is started), each
 * account fetching into memory.
 */
final class MeteredPoller implements AutoCloseable {
  final PollMetrics metrics = new PollMetrics();
  final Poller poller;

  MeteredPoller() {
    poller =
        Poller.builder()
            .schedule(
                PollSchedule.builder().bounds(Duration.ofHours(1), Duration.ofHours(2)).build())
            .listener(metrics.alongside(PollListener.NONE))
            .build();
    metrics.attach(poller);
  }

  /** Polls {@code source} as one account of {@code host}, its messages kept in memory. */
  void add(FetchSource source, String host) {
    poller.add(
        Fetcher.builder()
            .source(source)
            .sink(InMemorySink.create())
            .uidStore(InMemoryUidStore.create())
            .build(),
        host);
  }

  /** A scrape, read by the strict parser. */
  PrometheusText scrape() {
    return PrometheusText.parse(metrics.scrape());
  }

  @Override
  public void close() {
    poller.close();
  }
}
