package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import java.io.IOException;
import java.util.Set;

/** The sink's working parts: journal, spool, import pool. (Being written: API first.) */
public final class ImportCore {
  private final Config config;

  private ImportCore(Config config) {
    this.config = config;
  }

  /** Opens the journal in the configured directory. */
  public static ImportCore open(Config config) throws IOException {
    return new ImportCore(config);
  }

  /** See GmailImportSink#begin. */
  public Delivery begin(Envelope envelope) throws IOException {
    throw new UnsupportedOperationException("in progress: " + config.mailbox() + envelope.uid());
  }

  /** See GmailImportSink#contains. */
  public boolean contains(DeliveryKey key) throws IOException {
    throw new UnsupportedOperationException("in progress");
  }

  /** See GmailImportSink#sync. */
  public void sync() throws IOException {
    throw new UnsupportedOperationException("in progress");
  }

  /** See GmailImportSink#addLabels. */
  public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    throw new UnsupportedOperationException("in progress");
  }

  /** See GmailImportSink#close. */
  public void close() throws IOException {}
}
