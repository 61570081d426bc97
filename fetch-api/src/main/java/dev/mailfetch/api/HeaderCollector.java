package dev.mailfetch.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects the header sections a source hands over ({@link HeaderReading#readHeaders}, POP3 {@code
 * TOP n 0}), up to the header cap each. A message the server would not show is simply missing: the
 * caller treats it as not recognised.
 */
final class HeaderCollector implements MessageHandler {
  final Map<MessageRef, HeaderBlock> headers = new LinkedHashMap<>();
  private final int max;
  private ByteArrayOutputStream current;
  private MessageRef ref;

  HeaderCollector(int max) {
    this.max = max;
  }

  @Override
  public void start(MessageRef r) {
    ref = r;
    current = new ByteArrayOutputStream();
  }

  @Override
  public void data(ByteBuffer slice) {
    int n = Math.min(slice.remaining(), max - current.size());
    if (n > 0) {
      byte[] b = new byte[n];
      slice.get(b);
      current.write(b, 0, n);
    }
  }

  @Override
  public void end() {
    headers.put(ref, HeaderBlock.of(current.toByteArray(), true));
    current = null;
  }

  @Override
  public void failed(MessageRef r, FetchException error) {
    current = null;
  }
}
