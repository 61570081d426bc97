package dev.mailfetch.imap.internal;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.sasl.Password;
import dev.mailfetch.imap.ImapFolders;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What {@code ImapDoctor} examines, as its builder gathered it. Nothing secret in {@link
 * #toString()}.
 *
 * @param host the server, or with {@code discover} the mail domain
 * @param port the port (0: the security's usual one)
 * @param security how the connection is protected
 * @param user the login name, or null
 * @param password the password, or null
 * @param tokens the OAuth tokens, or null
 * @param allowPlaintext whether credentials may cross a connection without TLS
 * @param sslContext the embedder's own SSLContext, or null
 * @param trust the trust manager the certificates are judged by (recorded to describe them), or
 *     null with the embedder's SSLContext
 * @param limits caps and deadlines, already no longer than {@code timeout}
 * @param folders the folders a fetch would read
 * @param login whether to log in
 * @param dnsServer the DNS server to ask, or null for this machine's
 * @param srvDomain the mail domain whose SRV records to compare, or null
 * @param discover whether {@code host} is a mail domain whose IMAP server is to be found
 * @param timeout the longest wait for any one thing
 * @param clock the clock certificate dates are judged by
 */
public record DoctorPlan(
    String host,
    int port,
    ImapSecurity security,
    String user,
    Password password,
    TokenProvider tokens,
    boolean allowPlaintext,
    SSLContext sslContext,
    X509ExtendedTrustManager trust,
    ImapLimits limits,
    ImapFolders folders,
    boolean login,
    InetSocketAddress dnsServer,
    String srvDomain,
    boolean discover,
    Duration timeout,
    Clock clock) {

  public DoctorPlan {
    if (port <= 0) {
      port = security == ImapSecurity.IMPLICIT_TLS ? 993 : 143;
    }
  }

  /** Whether a login can be tried: asked for, and a password or token given. */
  public boolean canLogIn() {
    return login && user != null && (password != null || tokens != null);
  }

  @Override
  public String toString() {
    return "DoctorPlan[" + user + "@" + host + ":" + port + ", " + security + "]";
  }
}
