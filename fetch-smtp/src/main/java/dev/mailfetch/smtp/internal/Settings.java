package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.smtp.SmtpLimits;
import dev.mailfetch.smtp.SmtpSecurity;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * What an {@code LmtpSink} or {@code SmtpSink} was built with, checked as a whole ({@link
 * SettingsDraft#build}). {@code socket} is set for LMTP over a Unix socket, {@code host} and {@code
 * port} otherwise; {@code sender} null means the message's Return-Path, else the null sender.
 */
public record Settings(
    boolean lmtp,
    String host,
    int port,
    Path socket,
    SmtpSecurity security,
    String user,
    Supplier<String> password,
    TokenProvider tokens,
    boolean allowPlaintext,
    SSLContext sslContext,
    List<String> recipients,
    String sender,
    Path journal,
    SmtpLimits limits,
    String heloName) {

  /** The protocol's name, for words: "LMTP" or "SMTP". */
  public String protocol() {
    return lmtp ? "LMTP" : "SMTP";
  }

  /** Where the server is, for words: "mail.example.com:25" or "the socket /run/dovecot/lmtp". */
  public String server() {
    return socket != null ? "the socket " + socket : host + ":" + port;
  }

  /**
   * The library's builder call of this sink, the start of each library remedy: "LmtpSink.builder()"
   * or "SmtpSink.builder()".
   */
  public String builder() {
    return lmtp ? "LmtpSink.builder()" : "SmtpSink.builder()";
  }

  /** Whether credentials were given. */
  public boolean logsIn() {
    return user != null;
  }

  @Override
  public String toString() {
    return protocol() + " to " + server() + ", " + security + ", recipients " + recipients;
  }
}
