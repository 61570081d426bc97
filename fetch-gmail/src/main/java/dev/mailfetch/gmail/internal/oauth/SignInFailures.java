package dev.mailfetch.gmail.internal.oauth;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The loopback sign-in's own failures in words (a port taken, no answer in time), kept apart from
 * its flow so that {@code OAuthAuthorization} reads as the steps of RFC 8252. Each names what the
 * person can do: another port, a forwarded one, or the address the browser ended at.
 */
public final class SignInFailures {
  private SignInFailures() {}

  /** The port asked for on 127.0.0.1 is in use. */
  public static FetchException portInUse(int port, IOException e) {
    return new FetchException(
        FetchError.CONFIGURATION,
        "port "
            + port
            + " on 127.0.0.1 is in use, so the"
            + " sign-in's answer cannot be received there",
        null,
        e,
        Remedy.of(
            "Choose another port, or none: a free"
                + " one is taken then (a fixed port is needed only to forward it over SSH).",
            "Choose another port (OAuthAuthorization.Builder.port), or 0 for a free one."));
  }

  /**
   * No answer with this sign-in's state within {@code timeout}; {@code stray} answers of another
   * sign-in were ignored.
   */
  public static FetchException noAnswer(Duration timeout, URI redirect, int stray) {
    int n = stray;
    return new FetchException(
        FetchError.AUTH_FAILED,
        "no answer from the sign-in within "
            + minutes(timeout)
            + ": it was not finished, or the browser could not reach "
            + redirect
            + " (it runs on another machine?)"
            + (n == 0
                ? ""
                : "; "
                    + n
                    + (n == 1 ? " answer" : " answers")
                    + " for another sign-in arrived and "
                    + (n == 1 ? "was" : "were")
                    + " ignored")
            + "; nothing was saved",
        null,
        null,
        Remedy.of(
            "Run the sign-in again and finish it in time. Where the"
                + " browser runs on another machine, forward the port (ssh -L PORT:127.0.0.1:PORT this-host, with a"
                + " fixed port) or paste the address the browser ends at when asked (docs/oauth.md).",
            "Run the"
                + " sign-in again; where the browser runs on another machine, forward a fixed port"
                + " (Builder.port) over SSH or hand the address the browser ended at to Pending.complete."));
  }

  static String minutes(Duration d) {
    long s = d.toSeconds();
    if (s % 60 == 0) {
      return s / 60 + (s == 60 ? " minute" : " minutes");
    }
    return s + (s == 1 ? " second" : " seconds");
  }
}
