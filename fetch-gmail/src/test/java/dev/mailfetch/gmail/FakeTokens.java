package dev.mailfetch.gmail;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Access tokens the fake Gmail issues directly, as a refresh-token provider would hand them out:
 * the same token until the sink says Gmail refused it ({@link #invalidate}), then a fresh one.
 */
final class FakeTokens implements TokenProvider {
  private final FakeGmailServer gmail;
  private final String address;
  private final String[] scopes;
  private final AtomicReference<String> current = new AtomicReference<>();
  final AtomicInteger invalidated = new AtomicInteger();
  final AtomicInteger issued = new AtomicInteger();

  FakeTokens(FakeGmailServer gmail, String address, String... scopes) {
    this.gmail = gmail;
    this.address = address;
    this.scopes = scopes.length == 0 ? new String[] {FakeGmailServer.SCOPE_MODIFY} : scopes;
  }

  @Override
  public String accessToken() {
    return current.updateAndGet(
        t -> {
          if (t != null) {
            return t;
          }
          issued.incrementAndGet();
          return gmail.accessToken(address, scopes);
        });
  }

  @Override
  public void invalidate(String token) {
    invalidated.incrementAndGet();
    current.compareAndSet(token, null);
  }

  @Override
  public String toString() {
    return "FakeTokens[" + address + "]";
  }
}
