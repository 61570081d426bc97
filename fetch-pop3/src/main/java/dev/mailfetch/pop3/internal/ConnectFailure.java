package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A TCP connection that could not be made, as the error a person reads: a name that does not
 * resolve ({@link HostLookup}), no answer, nothing listening on the port, no route, or another
 * failure. Decided by the exception's type only ({@link #reset} is the doctor's).
 */
final class ConnectFailure {
  private ConnectFailure() {}

  /**
   * Whether {@code e} was a reset by the other side (RST) rather than a connection never made: for
   * the doctor's port probe. A reset is a plain {@code SocketException}, so the JDK's words are all
   * there is; the one place they are read, and nothing a fetch does depends on it.
   */
  static boolean reset(IOException e) {
    return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("reset");
  }

  /** The error for {@code e}, met connecting to the server of {@code settings}. */
  static FetchException of(IOException e, Pop3Settings settings) {
    String server = settings.host() + ":" + settings.port();
    if (e instanceof UnknownHostException unknown) {
      return HostLookup.failed(settings.host(), unknown);
    }
    if (e instanceof SocketTimeoutException) {
      return new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          "connecting to "
              + server
              + " got no answer within "
              + Limit.CONNECT_TIMEOUT.words(settings.limits().connectTimeout())
              + ": a firewall may drop the connection, or"
              + " the host or port is wrong",
          null,
          e,
          Limit.CONNECT_TIMEOUT.remedy(settings.limits().connectTimeout()));
    }
    if (e instanceof ConnectException) {
      // Something answered for the host and said no one listens on the port: a wrong
      // port or a service that is down, not a connection that broke.
      return new FetchException(
          FetchError.CONNECTION_REFUSED,
          "connecting to "
              + server
              + " was refused: nothing"
              + " listens on port "
              + settings.port()
              + " (a wrong port, or the mail service is down)",
          null,
          e,
          Advice.refused(settings.port()));
    }
    if (e instanceof NoRouteToHostException) {
      // As good as a silent drop for the user, as the doctor reports it.
      return new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          "cannot reach "
              + server
              + ": no route to the"
              + " host (this machine's network, or a firewall on the way)",
          e);
    }
    return new FetchException(
        FetchError.CONNECTION_RESET, "cannot connect to " + server + ": " + e.getMessage(), e);
  }
}
