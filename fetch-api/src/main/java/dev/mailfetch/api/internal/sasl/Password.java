package dev.mailfetch.api.internal.sasl;

import dev.mailfetch.api.FetchException;

/**
 * A password, asked for only when a mechanism is about to use it: a mechanism the server refuses
 * before that point never asks (a password source may prompt, or read a file, at each login).
 */
@FunctionalInterface
public interface Password {
  /**
   * The password.
   *
   * @throws FetchException when the source has none that the protocol can carry
   */
  String get() throws FetchException;
}
