package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * XOAUTH2 and OAUTHBEARER against a real Dovecot: its oauth2 passdb asks a tokeninfo URL whether a
 * token is good, which asks the fake Google's users.getProfile (Dovecot 2.3 takes a refused
 * introspection for a temporary failure, a refused tokeninfo for a bad token, as with Google's own
 * tokeninfo), and the refresh-token provider gets its tokens from the fake's token endpoint. An
 * access token that has expired is refused by Dovecot, invalidated, refreshed once, and the same
 * session logs in. Skipped, saying why, where no private Dovecot can run.
 */
@Timeout(120)
class DovecotOAuthTest {
  static final TestCertificates CERTS = TestCertificates.generate();

  @TempDir Path dir;
  FakeGmailServer google;
  PrivateDovecot dovecot;

  TokenInfo tokenInfo;

  /**
   * Google's tokeninfo as Dovecot's oauth2 passdb asks it ({@code tokeninfo_url} with the token
   * appended), answered from the fake Google: 200 with the account's address where the fake's
   * users.getProfile takes the token, 401 where it refuses it.
   */
  final class TokenInfo implements AutoCloseable {
    final ServerSocket server;

    TokenInfo() throws IOException {
      server = new ServerSocket(0, 8, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
      Thread t = new Thread(this::serve, "tokeninfo");
      t.setDaemon(true);
      t.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/tokeninfo?access_token=");
    }

    private void serve() {
      HttpClient http = HttpClient.newHttpClient();
      while (!server.isClosed()) {
        try (Socket c = server.accept()) {
          BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
          String line = in.readLine();
          for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
            // headers: nothing in them matters here
          }
          String token =
              line == null
                  ? ""
                  : URLDecoder.decode(
                      line.split(" ")[1].replaceFirst(".*access_token=", ""),
                      StandardCharsets.UTF_8);
          HttpResponse<String> profile =
              http.send(
                  HttpRequest.newBuilder(google.baseUri().resolve("gmail/v1/users/me/profile"))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  BodyHandlers.ofString());
          boolean good =
              profile.statusCode() == 200
                  && profile.body().contains("\"" + PrivateDovecot.USER + "\"");
          String body =
              good
                  ? "{\"email\":\"" + PrivateDovecot.USER + "\",\"email_verified\":\"true\"}"
                  : "{\"error\":\"invalid_token\",\"error_description\":\"Invalid Value\"}";
          c.getOutputStream()
              .write(
                  ("HTTP/1.1 "
                          + (good ? "200 OK" : "401 Unauthorized")
                          + "\r\nContent-Type:"
                          + " application/json\r\nContent-Length: "
                          + body.length()
                          + "\r\nConnection: close\r\n\r\n"
                          + body)
                      .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // closed at the end of the test
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    google = FakeGmailServer.start().addAccount(PrivateDovecot.USER);
    tokenInfo = new TokenInfo();
    dovecot =
        PrivateDovecot.startWithOAuth2(
            maildir -> {
              for (String d : List.of("new", "cur", "tmp")) {
                Files.createDirectories(maildir.resolve(d));
              }
              Files.writeString(
                  maildir.resolve("new/1.mailfetch"), "Subject: hello\r\n\r\nbody\r\n");
            },
            CERTS,
            "tokeninfo_url = " + tokenInfo.uri() + "\nusername_attribute = email\n");
  }

  @AfterEach
  void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
    google.close();
    tokenInfo.close();
  }

  Pop3Source source(OAuthTokenProvider tokens, AuthMechanism m) {
    return Pop3Source.builder()
        .host("localhost")
        .port(dovecot.tlsPort())
        .security(Security.IMPLICIT_TLS)
        .sslContext(CERTS.clientContext())
        .user(PrivateDovecot.USER)
        .oauthTokens(tokens)
        .mechanisms(m)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(10))
                .commandTimeout(Duration.ofSeconds(20))
                .build())
        .build();
  }

  OAuthTokenProvider tokens(String refreshToken) throws Exception {
    Path file = dir.resolve("pop3.json");
    OAuthTokenFile.builder()
        .endpoints(OAuthEndpoints.google().at(google.authorizationUri(), google.tokenUri()))
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
        .scopes(OAuthScopes.GMAIL_POP3)
        .account(PrivateDovecot.USER)
        .refreshToken(refreshToken)
        .build()
        .write(file);
    return OAuthTokenProvider.fromFile(file);
  }

  @ParameterizedTest
  @EnumSource(
      value = AuthMechanism.class,
      names = {"XOAUTH2", "OAUTHBEARER"})
  void anExpiredToken_isRefusedByDovecot_refreshed_andTheSameSessionLogsIn(AuthMechanism m)
      throws Exception {
    OAuthTokenProvider tokens =
        tokens(google.grant(PrivateDovecot.USER, FakeGmailServer.SCOPE_MAIL));
    try (FetchSession s = source(tokens, m).open()) {
      assertTrue(s.quit());
    }
    assertEquals(1, google.refreshGrants());
    google.expireAccessTokens();
    try (FetchSession s = source(tokens, m).open()) {
      assertTrue(s.quit(), "logged in with the fresh token");
    }
    assertEquals(2, google.refreshGrants(), "one refresh after Dovecot refused the expired token");
  }

  @ParameterizedTest
  @EnumSource(
      value = AuthMechanism.class,
      names = {"XOAUTH2"})
  void aRevokedGrant_isAuthFailed_naming_mailfetchOauth(AuthMechanism m) throws Exception {
    String refresh = google.grant(PrivateDovecot.USER, FakeGmailServer.SCOPE_MAIL);
    OAuthTokenProvider tokens = tokens(refresh);
    try (FetchSession s = source(tokens, m).open()) {
      assertTrue(s.quit());
    }
    google.revoke(refresh);
    google.expireAccessTokens();
    FetchException e = assertThrows(FetchException.class, () -> source(tokens, m).open());
    assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
    assertTrue(e.remedy().commandLine().contains("mailfetch oauth"), e.remedy().commandLine());
  }
}
