package dev.mailfetch.imap;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.imap.internal.AppendFolders;
import dev.mailfetch.testkit.MessageSinkContract;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink contract, kept by {@link ImapAppendSink} against a private Dovecot over IMAPS, each
 * message read back from Dovecot's own Maildir file: the key header the sink put first is checked
 * and taken off. The sink asks for LF line ends and sends CRLF; Dovecot stores LF, so its file is
 * exactly what the sink was handed. Each sink location is a folder of its own.
 */
@RequiresDovecot(PrivateDovecot.Service.IMAP)
class ImapAppendSinkContractTest extends MessageSinkContract {
  @TempDir static Path pems;
  private static DovecotImap imap;

  @BeforeAll
  static void startDovecot() throws Exception {
    imap = DovecotImap.start(pems);
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (imap != null) {
      imap.stop();
    }
  }

  @Override
  protected SinkUnderTest open(Path location) {
    String folder = "T" + Integer.toHexString(location.toAbsolutePath().toString().hashCode());
    ImapAppendSink sink = imap.sink(folder).journal(location.resolve("journal")).build();
    return new SinkUnderTest() {
      @Override
      public MessageSink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) throws IOException {
        try {
          int skip = DovecotImap.keyLine(key).length;
          return imap.stored(folder, key).map(b -> Arrays.copyOfRange(b, skip, b.length));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }

      @Override
      public Optional<Set<String>> labels(DeliveryKey key) throws IOException {
        try {
          Set<String> labels = new HashSet<>();
          for (String f : imap.folders()) {
            if (!f.equals(folder) && imap.count(f, key) > 0) {
              labels.add(AppendFolders.labelOf(f, "."));
            }
          }
          return Optional.of(labels);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
    };
  }
}
