package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token file: written whole with mode 0600, read only when no one else may read or change it,
 * never quoted.
 */
class OAuthTokenFileTest {
  static final String SECRET = "GOCSPX-client-secret-XYZ";
  static final String REFRESH = "1//refresh-token-SECRET-abc";

  @TempDir Path dir;

  static OAuthTokenFile grant() {
    return OAuthTokenFile.builder()
        .endpoints(OAuthEndpoints.google())
        .clientId("123-abc.apps.googleusercontent.com")
        .clientSecret(SECRET)
        .scopes(OAuthScopes.GMAIL_IMPORT)
        .account("me@gmail.com")
        .authorizedAt(Instant.parse("2026-12-06T08:00:00Z"))
        .refreshToken(REFRESH)
        .build();
  }

  private static boolean posix(Path p) {
    return Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
  }

  @Test
  void aWrittenFile_isReadableByItsOwnerOnly_andReadsBackTheSame() throws IOException {
    Path f = dir.resolve("gmail.json");
    grant().write(f);
    assumeTrue(posix(f), "the temporary directory's file system has no POSIX permissions");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    OAuthTokenFile back = OAuthTokenFile.read(f);
    assertEquals(REFRESH, back.refreshToken());
    assertEquals(SECRET, back.clientSecret().orElseThrow());
    assertEquals(OAuthEndpoints.google(), back.endpoints());
    assertEquals(OAuthScopes.GMAIL_IMPORT, back.scopes());
    assertEquals("me@gmail.com", back.account().orElseThrow());
    assertEquals(Instant.parse("2026-12-06T08:00:00Z"), back.authorizedAt().orElseThrow());
    String json = Files.readString(f);
    assertTrue(
        json.contains("\"format\" : \"mailfetch-oauth/1\"")
            && json.contains("\"provider\" : \"google\"")
            && json.contains("\"token_endpoint\" : \"https://oauth2.googleapis.com/token\""),
        json);
  }

  @Test
  void aMicrosoftGrantWithoutSecret_keepsItsTenant() throws IOException {
    Path f = dir.resolve("outlook.json");
    OAuthTokenFile g =
        OAuthTokenFile.builder()
            .endpoints(OAuthEndpoints.microsoft("consumers"))
            .clientId("cid")
            .scopes(OAuthScopes.MICROSOFT_POP3)
            .refreshToken("M.R3_BAY.refresh")
            .build();
    g.write(f);
    OAuthTokenFile back = OAuthTokenFile.read(f);
    assertEquals("consumers", back.endpoints().tenant().orElseThrow());
    assertEquals(
        URI.create("https://login.microsoftonline.com/consumers/oauth2/v2.0/token"),
        back.endpoints().tokenEndpoint());
    assertTrue(back.clientSecret().isEmpty());
    assertFalse(Files.readString(f).contains("client_secret"));
  }

  @Test
  void rewriting_replacesTheFileWhole_andLeavesNoTemporaryFileBehind() throws IOException {
    Path f = dir.resolve("gmail.json");
    grant().write(f);
    grant().withRefreshToken("1//the-new-one").write(f);
    assertEquals("1//the-new-one", OAuthTokenFile.read(f).refreshToken());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(f), s.toList(), "only the token file is left in its directory");
    }
  }

  @Test
  void aFileOthersCanRead_isRefusedInWords_likeSsh_andNotRead() throws IOException {
    Path f = dir.resolve("gmail.json");
    grant().write(f);
    assumeTrue(posix(f), "the temporary directory's file system has no POSIX permissions");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    FetchException e = assertThrows(FetchException.class, () -> OAuthTokenFile.read(f));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(
        e.getMessage().contains("permissions 0644 for " + f + " are too open")
            && e.getMessage().contains("may read it"),
        e.getMessage());
    assertTrue(e.remedy().commandLine().contains("chmod 600 " + f), e.remedy().commandLine());
    assertFalse(e.getMessage().contains(REFRESH) || e.getMessage().contains(SECRET));
    assertEquals(
        OAuthFailure.Reason.FILE_TOO_OPEN, assertInstanceOf(OAuthFailure.class, e).reason());
  }

  @Test
  void aFileOthersCanChange_isRefusedToo() throws IOException {
    Path f = dir.resolve("gmail.json");
    grant().write(f);
    assumeTrue(posix(f), "the temporary directory's file system has no POSIX permissions");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw--w----"));
    FetchException e = assertThrows(FetchException.class, () -> OAuthTokenFile.read(f));
    assertTrue(
        e.getMessage().contains("permissions 0620") && e.getMessage().contains("may change it"),
        e.getMessage());
  }

  @Test
  void aMissingFile_saysToAuthorizeFirst() {
    FetchException e =
        assertThrows(FetchException.class, () -> OAuthTokenFile.read(dir.resolve("none.json")));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(e.remedy().commandLine().contains("mailfetch oauth"), e.remedy().commandLine());
    assertTrue(e.remedy().library().contains("OAuthAuthorization"), e.remedy().library());
  }

  @Test
  void aBrokenFile_isNamedWithoutQuotingIt() throws IOException {
    Path f = dir.resolve("broken.json");
    Files.writeString(
        f, "{\"format\":\"mailfetch-oauth/1\",\"refresh_token\":\"" + REFRESH + "\" oops");
    if (posix(f)) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    FetchException e = assertThrows(FetchException.class, () -> OAuthTokenFile.read(f));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    assertFalse(e.getMessage().contains(REFRESH), e.getMessage());
  }

  @Test
  void aFileWithoutItsRefreshToken_namesTheField() throws IOException {
    Path f = dir.resolve("partial.json");
    Files.write(
        f,
        ("{\"format\":\"mailfetch-oauth/1\",\"provider\":\"google\",\"authorization_endpoint\":"
                + "\"https://accounts.google.com/o/oauth2/v2/auth\",\"token_endpoint\":\"https://oauth2.googleapis.com/token\","
                + "\"client_id\":\"c\"}")
            .getBytes(StandardCharsets.UTF_8));
    if (posix(f)) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    FetchException e = assertThrows(FetchException.class, () -> OAuthTokenFile.read(f));
    assertTrue(e.getMessage().contains("it has no \"refresh_token\""), e.getMessage());
  }

  @Test
  void aNewerFormat_isRefusedInWords() throws IOException {
    Path f = dir.resolve("newer.json");
    Files.writeString(f, "{\"format\":\"mailfetch-oauth/2\"}");
    if (posix(f)) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    FetchException e = assertThrows(FetchException.class, () -> OAuthTokenFile.read(f));
    assertTrue(e.getMessage().contains("a newer mailfetch wrote it?"), e.getMessage());
  }

  @Test
  void toString_namesNoSecret() {
    String s = grant().toString();
    assertFalse(s.contains(SECRET) || s.contains(REFRESH), s);
    assertTrue(s.contains("123-abc.apps.googleusercontent.com") && s.contains("me@gmail.com"), s);
  }
}
