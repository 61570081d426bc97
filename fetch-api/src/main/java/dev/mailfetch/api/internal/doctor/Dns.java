package dev.mailfetch.api.internal.doctor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import javax.naming.CommunicationException;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * DNS questions the doctors ask (POP3's and IMAP's): addresses and RFC 6186 SRV records, with "no
 * such name" told apart from "no answer". Uses the JDK's own DNS client (JNDI), either against a
 * named server (the doctor's {@code dnsServer}, and how tests stay on loopback) or against this
 * machine's resolvers.
 */
public final class Dns {
  /** What a question got. */
  public enum Outcome {
    FOUND,
    NO_SUCH_NAME,
    NO_RECORDS,
    NO_ANSWER
  }

  /** An answer: the outcome and, when found, the records as text. */
  public record Answer(Outcome outcome, List<String> records, String detail) {}

  /** One SRV record (RFC 2782). */
  public record Srv(int priority, int weight, int port, String target) {}

  private final InetSocketAddress server;
  private final Duration timeout;

  /**
   * @param server the DNS server to ask, or null for this machine's
   */
  public Dns(InetSocketAddress server, Duration timeout) {
    this.server = server;
    this.timeout = timeout;
  }

  /**
   * Whether {@code host} is written as an IP address, not a name: then there is nothing to ask the
   * DNS.
   */
  public static boolean literal(String host) {
    return host.matches("[0-9.]+|.*:.*|\\[.*\\]");
  }

  public boolean ownServer() {
    return server != null;
  }

  /** A and AAAA records of a name, through the named server. */
  public Answer addresses(String host) {
    Answer a = ask(host, "A");
    Answer aaaa = ask(host, "AAAA");
    List<String> all = new ArrayList<>(a.records());
    all.addAll(aaaa.records());
    if (!all.isEmpty()) {
      return new Answer(Outcome.FOUND, all, "");
    }
    if (a.outcome() == Outcome.NO_ANSWER || aaaa.outcome() == Outcome.NO_ANSWER) {
      return new Answer(
          Outcome.NO_ANSWER,
          List.of(),
          a.outcome() == Outcome.NO_ANSWER ? a.detail() : aaaa.detail());
    }
    if (a.outcome() == Outcome.NO_SUCH_NAME) {
      return a;
    }
    return new Answer(Outcome.NO_RECORDS, List.of(), "");
  }

  /**
   * The addresses a connection would use: this machine's resolver (hosts file included) when no
   * server was named, else the named server's answer.
   */
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    if (server == null) {
      return List.of(InetAddress.getAllByName(host));
    }
    Answer a = addresses(host);
    List<InetAddress> out = new ArrayList<>();
    for (String r : a.records()) {
      out.add(InetAddress.getByAddress(host, InetAddress.getByName(r).getAddress()));
    }
    if (out.isEmpty()) {
      throw new UnknownHostException(host);
    }
    return out;
  }

  /**
   * SRV records of a service name, lowest priority first; a record with target "." says "not
   * offered".
   */
  public List<Srv> srv(String name, Answer[] outcome) {
    Answer a = ask(name, "SRV");
    outcome[0] = a;
    List<Srv> out = new ArrayList<>();
    for (String r : a.records()) {
      String[] p = r.trim().split("\\s+");
      if (p.length == 4) {
        try {
          String target =
              p[3].endsWith(".") && p[3].length() > 1 ? p[3].substring(0, p[3].length() - 1) : p[3];
          out.add(
              new Srv(
                  Integer.parseInt(p[0]),
                  Integer.parseInt(p[1]),
                  Integer.parseInt(p[2]),
                  target.toLowerCase(Locale.ROOT)));
        } catch (NumberFormatException e) {
          // a malformed record is no record
        }
      }
    }
    out.sort(
        Comparator.comparingInt(Srv::priority)
            .thenComparing(Comparator.comparingInt(Srv::weight).reversed()));
    return out;
  }

  // The DNS provider alone (com.sun.jndi.dns) answers with strings; no LDAP, nothing deserialized.
  @SuppressWarnings({"BanJNDI", "JdkObsolete"}) // and JNDI's environment is a Hashtable
  private Answer ask(String name, String type) {
    Hashtable<String, String> env = new Hashtable<>();
    env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
    env.put(
        "java.naming.provider.url",
        server == null ? "dns:" : "dns://" + hostLiteral(server) + ":" + server.getPort());
    long ms = Math.max(200, timeout.toMillis() / 3);
    env.put("com.sun.jndi.dns.timeout.initial", Long.toString(ms));
    env.put("com.sun.jndi.dns.timeout.retries", "2");
    DirContext ctx = null;
    try {
      ctx = new InitialDirContext(env);
      Attributes attrs = ctx.getAttributes(name + ".", new String[] {type});
      Attribute at = attrs.get(type);
      List<String> out = new ArrayList<>();
      if (at != null) {
        NamingEnumeration<?> all = at.getAll();
        while (all.hasMore()) {
          out.add(String.valueOf(all.next()));
        }
      }
      return new Answer(out.isEmpty() ? Outcome.NO_RECORDS : Outcome.FOUND, out, "");
    } catch (NameNotFoundException e) {
      return new Answer(
          Outcome.NO_SUCH_NAME, List.of(), "the DNS says " + name + " does not exist (NXDOMAIN)");
    } catch (CommunicationException e) {
      return new Answer(Outcome.NO_ANSWER, List.of(), "no DNS server answered for " + name);
    } catch (NamingException e) {
      String m = String.valueOf(e.getExplanation());
      boolean timeout =
          m.contains("timed out")
              || m.contains("ServiceUnavailable")
              || e instanceof ServiceUnavailableException;
      return new Answer(
          timeout ? Outcome.NO_ANSWER : Outcome.NO_RECORDS,
          List.of(),
          (timeout ? "no DNS server answered for " : "the DNS could not answer for ")
              + name
              + ": "
              + m);
    } finally {
      if (ctx != null) {
        try {
          ctx.close();
        } catch (NamingException e) {
          // nothing held
        }
      }
    }
  }

  private static String hostLiteral(InetSocketAddress a) {
    String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return h.contains(":") ? "[" + h + "]" : h;
  }
}
