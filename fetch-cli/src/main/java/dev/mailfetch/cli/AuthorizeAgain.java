package dev.mailfetch.cli;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.gmail.OAuthFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * An authorization that no longer works, said with the command that makes a new one. The library
 * says "authorize again (mailfetch oauth)"; a person at the command line needs the whole command,
 * with the address and the file: {@code mailfetch oauth google me@gmail.com --token-file FILE} (the
 * file's own OAuth client is used again). This adds it to the advice of every failure of the
 * destination's (or a POP3 or IMAP login's) authorization: {@code AUTH_FAILED}, {@code
 * AUTH_TOKEN_EXPIRED}, and {@code CONFIGURATION} (an authorization for another mailbox), wherever
 * it comes from: the token provider, or Gmail through the sink, also when the sink names it at its
 * barrier.
 *
 * <p>For a password, the same place says where the command read it ({@link #passwordFrom}): a
 * password that is refused is as often one read from another place than meant (a variable that
 * holds another account's, a file left from before) as one mistyped, and the library's advice
 * cannot name the option. Never the password itself.
 */
final class AuthorizeAgain {
  private final String lead;
  private final String command;
  private final String end;

  /** {@code command}: what to type to authorize again (no full stop after it: it is copied). */
  AuthorizeAgain(String command) {
    this("To authorize again: ", command, "");
  }

  private AuthorizeAgain(String lead, String command, String end) {
    this.lead = lead;
    this.command = command;
    this.end = end;
  }

  /**
   * A refused login's advice says where the password came from: {@code where}, such as "the
   * environment variable MAIL_PW". The variable or the file, not the option: for an account of a
   * config file, naming its line would make serve's page advise a restart where fixing the file and
   * pressing Resume is enough ({@link Advice#pageWords}).
   */
  static AuthorizeAgain passwordFrom(String where) {
    return new AuthorizeAgain("The password was read from ", where, ".");
  }

  /**
   * The failure with the command in its advice, where it is one of the authorization's: a
   * CONFIGURATION counts only where it says the token opens another mailbox (a label Gmail refuses,
   * a journal of another mailbox are not mended by authorizing again).
   */
  FetchException advise(FetchException e) {
    return advise(
        e,
        e.error() == FetchError.CONFIGURATION
            && OAuthFailure.reasonOf(e).orElse(null) == OAuthFailure.Reason.ANOTHER_MAILBOX);
  }

  /**
   * As {@link #advise(FetchException)}; {@code configuration}: CONFIGURATION is the authorization's
   * too.
   */
  private FetchException advise(FetchException e, boolean configuration) {
    if (e.error() != FetchError.AUTH_FAILED
        && e.error() != FetchError.AUTH_TOKEN_EXPIRED
        && !(configuration && e.error() == FetchError.CONFIGURATION)) {
      return e;
    }
    String words = e.remedy().commandLine().strip();
    // Our own advice, read so that a failure advised once (and passed on in context) does not say
    // the command twice; what failed is decided above, by code and reason.
    if (words.contains(command)) {
      return e;
    }
    String reply = e.serverReply().orElse(null);
    // detail() is the words and then this suffix, always: taken off to build the words again with
    // the same reply, not read to decide anything.
    String suffix = reply == null ? "" : " (server said: \"" + reply + "\")";
    String detail =
        e.detail().endsWith(suffix)
            ? e.detail().substring(0, e.detail().length() - suffix.length())
            : e.detail();
    Remedy remedy =
        Remedy.of(
            (words.isEmpty() ? "" : words + (words.endsWith(".") ? " " : ". "))
                + lead
                + command
                + end,
            e.remedy().library());
    return new FetchException(e.error(), detail, reply, e, remedy);
  }

  private IOException advise(IOException e) {
    if (e instanceof FetchException f) {
      return advise(f);
    }
    if (e instanceof DeliveriesFailed d) {
      Map<DeliveryKey, FetchException> advised = new LinkedHashMap<>();
      boolean changed = false;
      for (Map.Entry<DeliveryKey, FetchException> f : d.failures().entrySet()) {
        FetchException a = advise(f.getValue());
        changed |= a != f.getValue();
        advised.put(f.getKey(), a);
      }
      return changed ? new DeliveriesFailed(advised) : d;
    }
    return e;
  }

  /** {@code tokens}, its failures advised. */
  TokenProvider tokens(TokenProvider tokens) {
    return new TokenProvider() {
      @Override
      public String accessToken() throws IOException {
        try {
          return tokens.accessToken();
        } catch (FetchException e) {
          throw advise(e, true); // the token provider's CONFIGURATION (its client, its file) is the
          // authorization's
        } catch (IOException e) {
          throw advise(e);
        }
      }

      @Override
      public void invalidate(String token) {
        tokens.invalidate(token);
      }
    };
  }

  /**
   * {@code source} (POP3 or IMAP), a refused login advised: where a session opens, and where a push
   * watch (IMAP's IDLE) gives up or is interrupted, since it logs in on a connection of its own.
   */
  FetchSource source(FetchSource source) {
    return new FetchSource() {
      @Override
      public String account() {
        return source.account();
      }

      @Override
      public FetchSession open() throws FetchException {
        try {
          return source.open();
        } catch (FetchException e) {
          throw advise(e, false); // a server's CONFIGURATION (a policy) is not the authorization's
        }
      }

      @Override
      public Optional<MailPush> push() {
        return source.push().map(AuthorizeAgain.this::push);
      }

      @Override
      public String toString() {
        return source.toString();
      }
    };
  }

  /** {@code push}, what its watches say of a refused login advised. */
  private MailPush push(MailPush push) {
    return new MailPush() {
      @Override
      public List<String> mailboxes() {
        return push.mailboxes();
      }

      @Override
      public Watch watch(String mailbox, Listener listener, ThreadFactory threads) {
        return push.watch(
            mailbox,
            new Listener() {
              @Override
              public void arrived(String m) {
                listener.arrived(m);
              }

              @Override
              public void ended(String m, FetchException why) {
                listener.ended(m, why == null ? null : advise(why, false));
              }

              @Override
              public void watching(String m) {
                listener.watching(m);
              }

              @Override
              public void interrupted(String m, FetchException why) {
                listener.interrupted(m, why == null ? null : advise(why, false));
              }
            },
            threads);
      }

      @Override
      public String toString() {
        return push.toString();
      }
    };
  }

  /** {@code sink}, its failures advised. */
  MessageSink sink(MessageSink sink) {
    return new MessageSink() {
      @Override
      public Delivery begin(Envelope envelope) throws IOException {
        Delivery d;
        try {
          d = sink.begin(envelope);
        } catch (IOException e) {
          throw advise(e);
        }
        return new Delivery() {
          @Override
          public void write(ByteBuffer bytes) throws IOException {
            try {
              d.write(bytes);
            } catch (IOException e) {
              throw advise(e);
            }
          }

          @Override
          public DeliveryReceipt complete(DeliveryKey key) throws IOException {
            try {
              return d.complete(key);
            } catch (IOException e) {
              throw advise(e);
            }
          }

          @Override
          public void abort() {
            d.abort();
          }
        };
      }

      @Override
      public boolean contains(DeliveryKey key) throws IOException {
        try {
          return sink.contains(key);
        } catch (IOException e) {
          throw advise(e);
        }
      }

      @Override
      public void sync() throws IOException {
        try {
          sink.sync();
        } catch (IOException e) {
          throw advise(e);
        }
      }

      @Override
      public LineEnding lineEnding() {
        return sink.lineEnding();
      }

      @Override
      public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
        try {
          return sink.addLabels(key, labels);
        } catch (IOException e) {
          throw advise(e);
        }
      }

      @Override
      public List<FetchException> takeWarnings() {
        return sink.takeWarnings();
      }

      @Override
      public void close() throws IOException {
        sink.close();
      }

      @Override
      public String toString() {
        return sink.toString();
      }
    };
  }
}
