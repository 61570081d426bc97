package dev.mailfetch.imap.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the bytes of a literal the client sends come from (a spooled message for APPEND): its size
 * is known before the first byte goes, and the bytes are copied to the socket in slices, never held
 * as one array.
 */
public interface LiteralSource {
  /** The exact number of bytes {@link #writeTo} writes. */
  long size();

  /** Writes the bytes, exactly {@link #size()} of them. */
  void writeTo(OutputStream out) throws IOException;

  /** The bytes of {@code file} (a spool file), read when sent. */
  static LiteralSource of(Path file, long size) {
    return new LiteralSource() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
          long left = size;
          while (left > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), left));
            int n = ch.read(buf);
            if (n < 0) {
              throw new IOException(file + " ended " + left + " bytes before its size " + size);
            }
            out.write(buf.array(), 0, n);
            left -= n;
          }
        }
      }
    };
  }

  /** Small bytes already in memory (a name, a test). */
  static LiteralSource of(byte[] bytes) {
    byte[] copy = bytes.clone();
    return new LiteralSource() {
      @Override
      public long size() {
        return copy.length;
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        out.write(copy);
      }
    };
  }
}
