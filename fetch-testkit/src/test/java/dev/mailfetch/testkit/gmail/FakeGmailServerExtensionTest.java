package dev.mailfetch.testkit.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One fake Gmail per test, configured anew, injected as a parameter. */
class FakeGmailServerExtensionTest {
  @RegisterExtension
  final FakeGmailServerExtension gmail =
      FakeGmailServerExtension.of(g -> g.addAccount("me@gmail.com"));

  @Test
  void aServerPerTest_configuredAndInjected(FakeGmailServer server) throws Exception {
    assertSame(gmail.server(), server);
    String token = server.accessToken("me@gmail.com", FakeGmailServer.SCOPE_MODIFY);

    HttpResponse<String> profile = new Http(server).get("gmail/v1/users/me/profile", token);

    assertEquals(200, profile.statusCode());
    assertTrue(profile.body().contains("\"emailAddress\":\"me@gmail.com\""), profile.body());
  }

  @Test
  void theNextTestStartsEmpty(FakeGmailServer server) {
    assertTrue(server.messages("me@gmail.com").isEmpty());
    assertTrue(server.requests().isEmpty());
  }
}
