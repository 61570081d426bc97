package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The work of {@code LmtpSink} and {@code SmtpSink}: spool, journal, session. */
public final class RelaySink {
  private final Settings settings;

  public RelaySink(Settings settings) {
    this.settings = settings;
  }

  public List<String> check() throws FetchException {
    List<String> passed = new ArrayList<>();
    if (passed.isEmpty()) {
      throw new UnsupportedOperationException("check of " + settings + " comes next");
    }
    return passed;
  }

  public Delivery begin(Envelope envelope) throws IOException {
    if (settings != null) {
      throw new UnsupportedOperationException("delivery to " + settings + " comes next");
    }
    return null;
  }

  public boolean contains(DeliveryKey key) throws IOException {
    return false;
  }

  public void sync() throws IOException {}

  public void close() throws IOException {}

  @Override
  public String toString() {
    return settings.toString();
  }
}
