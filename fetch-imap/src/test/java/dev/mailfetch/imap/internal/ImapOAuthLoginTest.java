package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.internal.ScriptedServerTest.Scripted;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An IMAP login with OAuth tokens from a provider that refreshes (as fetch-gmail's refresh-token
 * provider does): a token the server refuses is handed back ({@code invalidate}) and the login is
 * tried once more with a fresh one; a provider that cannot refresh is not asked twice.
 */
class ImapOAuthLoginTest {
  /**
   * Hands out "token-1", then after an invalidate "token-2" (or the same, if it cannot refresh).
   */
  static final class Tokens implements TokenProvider {
    final boolean refreshes;
    final List<String> invalidated = new CopyOnWriteArrayList<>();
    volatile String current = "token-1";

    Tokens(boolean refreshes) {
      this.refreshes = refreshes;
    }

    @Override
    public String accessToken() {
      return current;
    }

    @Override
    public void invalidate(String token) {
      invalidated.add(token);
      if (refreshes && token.equals(current)) {
        current = "token-2";
      }
    }
  }

  private static ImapSettings settings(int port, TokenProvider tokens) {
    return new ImapSettings(
        "localhost",
        port,
        ImapSecurity.NONE,
        null,
        ImapLimits.defaults(),
        "alice@example.org",
        null,
        tokens,
        true,
        null,
        ImapFailures.Role.SOURCE);
  }

  private static String bearer(String line) {
    String b64 = line.substring(line.lastIndexOf(' ') + 1);
    String s = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    return s.substring(s.indexOf("Bearer ") + 7, s.indexOf('\u0001', s.indexOf("Bearer ")));
  }

  /** XOAUTH2 with SASL-IR: refuses {@code refused} with Google's error challenge, takes others. */
  private static void xoauth2Server(
      BufferedReader in, PrintStream out, List<String> tokensHeard, boolean bareNo)
      throws Exception {
    out.print("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n");
    String line;
    while ((line = in.readLine()) != null) {
      String tag = line.substring(0, line.indexOf(' '));
      if (line.contains("AUTHENTICATE XOAUTH2")) {
        String token = bearer(line);
        tokensHeard.add(token);
        if (token.equals("token-1") || bareNo) {
          if (bareNo) {
            out.print(tag + " NO AUTHENTICATE failed.\r\n");
            continue;
          }
          String error =
              "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";
          out.print(
              "+ "
                  + Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.US_ASCII))
                  + "\r\n");
          in.readLine(); // the client's empty answer
          out.print(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n");
        } else {
          out.print(tag + " OK [CAPABILITY IMAP4rev1 IDLE] alice@example.org authenticated\r\n");
        }
      } else if (line.contains("LOGOUT")) {
        out.print("* BYE bye\r\n" + tag + " OK done\r\n");
        return;
      } else {
        out.print(tag + " OK done\r\n");
      }
    }
  }

  private static void loginAndClose(Scripted srv, TokenProvider tokens) throws FetchException {
    try (ImapSession session = ImapSession.open(settings(srv.port(), tokens))) {
      session.login();
    }
  }

  @Test
  void anExpiredToken_isInvalidated_andTheLoginSucceedsWithAFreshOne() throws Exception {
    List<String> heard = new ArrayList<>();
    Tokens tokens = new Tokens(true);
    try (Scripted srv = new Scripted((s, in, out) -> xoauth2Server(in, out, heard, false));
        ImapSession session = ImapSession.open(settings(srv.port(), tokens))) {
      assertEquals(LoginMethod.XOAUTH2, session.login());
      assertEquals(List.of("token-1"), tokens.invalidated);
      session.logout();
      srv.finish();
      assertEquals(List.of("token-1", "token-2"), heard);
    }
  }

  @Test
  void aProviderThatCannotRefresh_isAskedOnce_andTheRefusalStands() throws Exception {
    List<String> heard = new ArrayList<>();
    Tokens tokens = new Tokens(false);
    try (Scripted srv = new Scripted((s, in, out) -> xoauth2Server(in, out, heard, false))) {
      FetchException e = assertThrows(FetchException.class, () -> loginAndClose(srv, tokens));
      assertEquals(FetchError.AUTH_TOKEN_EXPIRED, e.error());
      assertEquals(List.of("token-1"), tokens.invalidated);
      srv.finish();
      assertEquals(List.of("token-1"), heard);
    }
  }

  @Test
  void microsoftsBareNo_toBothTokens_isAuthFailed_afterOneFreshTry() throws Exception {
    List<String> heard = new ArrayList<>();
    Tokens tokens = new Tokens(true);
    try (Scripted srv = new Scripted((s, in, out) -> xoauth2Server(in, out, heard, true))) {
      FetchException e = assertThrows(FetchException.class, () -> loginAndClose(srv, tokens));
      assertEquals(FetchError.AUTH_FAILED, e.error());
      assertTrue(e.getMessage().contains("AUTHENTICATE failed."), e.getMessage());
      assertTrue(!e.getMessage().contains("token-"), "no token in the words: " + e.getMessage());
      srv.finish();
      assertEquals(List.of("token-1", "token-2"), heard);
    }
  }
}
