package dev.mailfetch.imap.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One command as it goes on the wire, without its tag: text, and literals whose bytes come from a
 * {@link LiteralSource} when sent. A command marked secret (LOGIN) shows only its name in the
 * trace.
 */
public final class ImapCommand {
  private final String name;
  private final List<Object> parts;
  private final boolean secret;
  private final LiteralConsumer body;
  private final UntaggedListener untagged;

  private ImapCommand(Builder b) {
    this.name = b.name;
    this.parts = List.copyOf(b.parts);
    this.secret = b.secret;
    this.body = b.body;
    this.untagged = b.untagged;
  }

  /** A command {@code name} (APPEND, UID SEARCH ...), its arguments added to the builder. */
  public static Builder of(String name) {
    return new Builder(name);
  }

  /** The command's name as sent, for the words of an error. */
  public String name() {
    return name;
  }

  /** Text (a String) and literals ({@link LiteralSource}), in order, after the tag. */
  List<Object> parts() {
    return parts;
  }

  boolean secret() {
    return secret;
  }

  /** Where the message literals of its responses go, or null to keep small ones inline. */
  LiteralConsumer body() {
    return body;
  }

  /** Where its untagged responses go as they come, or null to keep them all with its reply. */
  UntaggedListener untagged() {
    return untagged;
  }

  /** Builds a command's arguments, each after one space. */
  public static final class Builder {
    private final String name;
    private final List<Object> parts = new ArrayList<>();
    private StringBuilder text;
    private boolean secret;
    private LiteralConsumer body;
    private UntaggedListener untagged;

    private Builder(String name) {
      this.name = name;
      this.text = new StringBuilder(name);
    }

    /** An atom, a number, a list or a sequence set, as given. */
    public Builder atom(String atom) {
      text.append(' ').append(atom);
      return this;
    }

    /**
     * A string: quoted where it is printable ASCII (or UTF-8 where {@code utf8} allows it, RFC
     * 6855), else a literal of its UTF-8 bytes.
     */
    public Builder string(String s, boolean utf8) {
      boolean quotable = s.length() <= 1000;
      for (int i = 0; i < s.length() && quotable; i++) {
        char c = s.charAt(i);
        quotable = (c >= 0x20 && c < 0x7f) || (utf8 && c >= 0x80);
      }
      if (quotable) {
        text.append(" \"");
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (c == '"' || c == '\\') {
            text.append('\\');
          }
          text.append(c);
        }
        text.append('"');
        return this;
      }
      return literal(LiteralSource.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** A string of printable ASCII or a literal (see {@link #string(String, boolean)}). */
    public Builder string(String s) {
      return string(s, false);
    }

    /** A literal whose bytes come from {@code source} when the command is sent. */
    public Builder literal(LiteralSource source) {
      text.append(' ');
      parts.add(text.toString());
      parts.add(source);
      text = new StringBuilder();
      return this;
    }

    /** Its arguments are secret: the trace shows its name only. */
    public Builder secret() {
      this.secret = true;
      return this;
    }

    /** Message literals of its responses are streamed to {@code consumer}. */
    public Builder body(LiteralConsumer consumer) {
      this.body = consumer;
      return this;
    }

    /**
     * Its untagged responses go to {@code listener} as they come (see {@link UntaggedListener}).
     */
    public Builder untagged(UntaggedListener listener) {
      this.untagged = listener;
      return this;
    }

    public ImapCommand build() {
      parts.add(text.toString());
      text = new StringBuilder();
      return new ImapCommand(this);
    }
  }
}
