package dev.mailfetch.sink;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.testkit.MessageSinkContract;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The sink contract, on a real Maildir. */
class MaildirSinkContractTest extends MessageSinkContract {
  @Override
  protected SinkUnderTest open(Path location) throws IOException {
    MaildirSink sink = MaildirSink.open(location);
    return new SinkUnderTest() {
      @Override
      public MaildirSink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) throws IOException {
        Path f = MaildirFiles.find(location, key);
        return f == null ? Optional.empty() : Optional.of(Files.readAllBytes(f));
      }

      @Override
      public Optional<Set<String>> labels(DeliveryKey key) throws IOException {
        return Optional.of(MaildirFiles.labels(location, key));
      }

      @Override
      public boolean fileBased() {
        return true;
      }
    };
  }

  /** Reading a Maildir back, as a mail reader would. */
  static final class MaildirFiles {
    /** The file of {@code key} in the inbox or any folder, or null. */
    static Path find(Path root, DeliveryKey key) throws IOException {
      for (Path folder : folders(root)) {
        for (String sub : new String[] {"new", "cur"}) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(folder.resolve(sub))) {
            for (Path f : files) {
              if (f.getFileName().toString().startsWith(key.toString())) {
                return f;
              }
            }
          }
        }
      }
      return null;
    }

    /** The Maildir++ folders holding {@code key}, without the leading '.' ("" for none). */
    static Set<String> labels(Path root, DeliveryKey key) throws IOException {
      Set<String> out = new TreeSet<>();
      for (Path folder : folders(root)) {
        if (folder.equals(root)) {
          continue;
        }
        for (String sub : new String[] {"new", "cur"}) {
          try (DirectoryStream<Path> files =
              Files.newDirectoryStream(folder.resolve(sub), key + "*")) {
            if (files.iterator().hasNext()) {
              out.add(folder.getFileName().toString().substring(1));
            }
          }
        }
      }
      return out;
    }

    static List<Path> folders(Path root) throws IOException {
      List<Path> out = new ArrayList<>();
      out.add(root);
      try (DirectoryStream<Path> subs = Files.newDirectoryStream(root, ".*")) {
        for (Path p : subs) {
          if (Files.isDirectory(p.resolve("new"))) {
            out.add(p);
          }
        }
      }
      return out;
    }
  }
}
