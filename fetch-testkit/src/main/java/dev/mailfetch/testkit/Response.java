package dev.mailfetch.testkit;

import dev.mailfetch.api.FetchException;

/** A scripted reply ({@link FakePop3Server.Builder#respond}): exact bytes, then what happens. */
final class Response {
  final String raw;
  final FakePop3Server.After after;

  Response(String raw, FakePop3Server.After after) {
    this.raw = raw;
    this.after = after;
  }

  /** Its bytes, escaped and quoted, then what happens: what a builder's second call shows. */
  @Override
  public String toString() {
    return "\"" + FetchException.escape(raw) + "\", then " + after;
  }
}
