package dev.mailfetch.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The header mailfetch can prepend to each delivered message to record where it came from: our open
 * counterpart of Gmail's {@code X-Gmail-Fetch-Info}.
 *
 * <pre>
 * X-Mailfetch-Provenance: v=1;
 *  account="alice@example.com";
 *  server="pop.example.com:995";
 *  uid="000001a54f3c";
 *  fetched=2026-11-21T20:48:21Z
 * </pre>
 *
 * <p>Parameters are {@code name=value} pairs separated by {@code ;}. {@code account}, {@code
 * server} and {@code uid} are quoted strings in which {@code \} and {@code "} are escaped with a
 * backslash; {@code uid} is absent where the server has no stable ids; {@code fetched} is an ISO
 * 8601 instant in UTC, to the second. The field is folded with CRLF and one space before each
 * parameter, so no line grows past the RFC 5322 limit for any account name up to 900 bytes. {@link
 * #parse} reads it back, ignoring parameters it does not know, so later versions may add some.
 *
 * @param account the account, as {@link FetchSource#account()} names it
 * @param server the server as {@code host:port}
 * @param uid the message's unique id, or null
 * @param fetched when the message was fetched
 */
public record ProvenanceHeader(String account, String server, String uid, Instant fetched) {
  /** The header field's name. */
  public static final String NAME = "X-Mailfetch-Provenance";

  /**
   * Checks the components and cuts {@code fetched} to the second, as the header carries it.
   *
   * @param account the account, as {@link FetchSource#account()} names it
   * @param server the server as {@code host:port}
   * @param uid the message's unique id, or null
   * @param fetched when the message was fetched
   * @throws NullPointerException if {@code account}, {@code server} or {@code fetched} is null
   * @throws IllegalArgumentException if {@code account}, {@code server} or {@code uid} holds a
   *     control character (a line break in a header would let a server forge fields)
   */
  public ProvenanceHeader {
    checkText("account", account);
    checkText("server", server);
    if (uid != null) {
      checkText("uid", uid);
    }
    fetched = Objects.requireNonNull(fetched, "fetched").truncatedTo(ChronoUnit.SECONDS);
  }

  private static void checkText(String name, String value) {
    Objects.requireNonNull(value, name);
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(
            name + " must not contain control characters: " + FetchException.escape(value));
      }
    }
  }

  /** The whole header field, name included, ending in CRLF, as UTF-8 bytes. */
  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  /** The whole header field, name included, ending in CRLF. */
  public String format() {
    StringBuilder sb = new StringBuilder(NAME).append(": v=1;\r\n account=");
    quote(sb, account).append(";\r\n server=");
    quote(sb, server);
    if (uid != null) {
      quote(sb.append(";\r\n uid="), uid);
    }
    return sb.append(";\r\n fetched=").append(fetched).append("\r\n").toString();
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('"');
  }

  /**
   * Reads the value of a provenance field (what follows {@code "X-Mailfetch-Provenance:"}), folded
   * or not.
   *
   * @throws IllegalArgumentException naming what is wrong, if it is not a version-1 provenance
   *     value
   */
  public static ProvenanceHeader parse(String value) {
    Map<String, String> params = new LinkedHashMap<>();
    String s = value.replace("\r\n", "").replace("\n", "");
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ';')) {
        i++;
      }
      if (i == s.length()) {
        break;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        throw new IllegalArgumentException("provenance: parameter without '=' at " + i);
      }
      String name = s.substring(i, eq).strip();
      i = eq + 1;
      StringBuilder v = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '"') {
        i++;
        boolean closed = false;
        while (i < s.length()) {
          char c = s.charAt(i++);
          if (c == '\\' && i < s.length()) {
            v.append(s.charAt(i++));
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            v.append(c);
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("provenance: unterminated quoted value of " + name);
        }
      } else {
        int end = s.indexOf(';', i);
        end = end < 0 ? s.length() : end;
        v.append(s, i, end);
        i = end;
        v = new StringBuilder(v.toString().strip());
      }
      params.putIfAbsent(name, v.toString());
    }
    if (!"1".equals(params.get("v"))) {
      throw new IllegalArgumentException("provenance: version must be v=1: " + params.get("v"));
    }
    String fetched = require(params, "fetched");
    try {
      return new ProvenanceHeader(
          require(params, "account"),
          require(params, "server"),
          params.get("uid"),
          Instant.parse(fetched));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("provenance: fetched is not an instant: " + fetched, e);
    }
  }

  private static String require(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalArgumentException("provenance: missing " + name);
    }
    return v;
  }
}
