package dev.mailfetch.imap;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a source session hands over, kept for a test's assertions: the listing, and each message's
 * bytes with how it ended ({@code end} or {@code failed}), in the order the calls came.
 */
final class SourceProbe implements MessageHandler {
  final Map<MessageRef, byte[]> whole = new LinkedHashMap<>();
  final Map<MessageRef, FetchException> failed = new LinkedHashMap<>();
  final List<String> calls = new ArrayList<>();
  private MessageRef current;
  private ByteArrayOutputStream bytes;

  /** Lists {@code session}, returning the messages in order. */
  static List<MessageRef> list(FetchSession session) throws FetchException {
    List<MessageRef> out = new ArrayList<>();
    session.list(
        new ListingHandler() {
          @Override
          public void count(int messages, long octets) {}

          @Override
          public void message(MessageRef ref) {
            out.add(ref);
          }
        });
    return out;
  }

  @Override
  public void start(MessageRef ref) {
    if (current != null) {
      throw new AssertionError("start of " + ref + " before the end of " + current);
    }
    calls.add("start " + ref.number());
    current = ref;
    bytes = new ByteArrayOutputStream();
  }

  @Override
  public void data(ByteBuffer slice) {
    if (current == null) {
      throw new AssertionError("data without start");
    }
    byte[] b = new byte[slice.remaining()];
    slice.get(b);
    bytes.writeBytes(b);
  }

  @Override
  public void end() {
    calls.add("end " + current.number());
    whole.put(current, bytes.toByteArray());
    current = null;
  }

  @Override
  public void failed(MessageRef ref, FetchException error) {
    calls.add("failed " + ref.number());
    failed.put(ref, error);
    current = null;
  }
}
