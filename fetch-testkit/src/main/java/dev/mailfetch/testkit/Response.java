package dev.mailfetch.testkit;

/** A scripted reply ({@link FakePop3Server.Builder#respond}): exact bytes, then what happens. */
final class Response {
  final String raw;
  final FakePop3Server.After after;

  Response(String raw, FakePop3Server.After after) {
    this.raw = raw;
    this.after = after;
  }
}
