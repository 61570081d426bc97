package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.doctor.Dns;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Pop3Doctor.ServerChoice;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Symptom;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The doctor's DNS stage: the server found for a mail domain (RFC 6186 SRV records, then the usual
 * names), the SRV records published for it, and the host's addresses, with what the DNS itself says
 * where the resolver found none.
 */
final class DnsStage {
  private static final List<String> SERVICES = List.of("_pop3s._tcp.", "_pop3._tcp.");

  private final ExamContext ctx;
  private final Dns dns;

  DnsStage(ExamContext ctx) {
    this.ctx = ctx;
    this.dns = new Dns(ctx.plan().dnsServer(), ctx.plan().timeout());
  }

  void run() {
    StepDraft d = ctx.begin(Stage.DNS);
    Examination.Plan plan = ctx.plan();
    if (plan.discover()) {
      String domain = ctx.settings().host();
      List<ServerChoice> found = discover(dns, domain);
      if (found.isEmpty()) {
        d.add(
            Symptom.SRV_NONE,
            "no _pop3s._tcp or _pop3._tcp SRV record for "
                + domain
                + ", and none of pop., pop3.,"
                + " mail."
                + domain
                + " resolves");
        d.summary("no POP3 server found for " + domain);
        d.end();
        ctx.block();
        return;
      }
      ServerChoice best = found.get(0);
      ctx.examine(best);
      d.note(
          "found "
              + best.host()
              + ":"
              + best.port()
              + " ("
              + Advice.words(best.security())
              + ") by "
              + best.foundBy());
      srv(d, domain);
    } else if (plan.srvDomain() != null) {
      srv(d, plan.srvDomain());
    }
    addresses(d, ctx.settings().host());
    d.end();
  }

  private void addresses(StepDraft d, String host) {
    if (HostLookup.literal(host)) {
      try {
        ctx.address(InetAddress.getByName(host));
        d.summary(host + " is an address; no DNS needed");
      } catch (UnknownHostException e) {
        d.add(
            Symptom.ADDRESS_INVALID,
            "\"" + FetchException.escape(host) + "\" is not a valid IP address");
        ctx.block();
      }
      return;
    }
    try {
      List<InetAddress> all = dns.resolve(host);
      ctx.address(all.get(0));
      List<String> shown = new ArrayList<>();
      for (InetAddress a : all) {
        shown.add(a.getHostAddress());
      }
      d.summary(host + " → " + String.join(", ", shown));
    } catch (UnknownHostException e) {
      Dns.Answer a = dns.addresses(host);
      switch (a.outcome()) {
        case NO_SUCH_NAME -> d.add(Symptom.NO_SUCH_HOST, a.detail());
        case NO_ANSWER -> d.add(Symptom.DNS_NO_ANSWER, a.detail());
        case NO_RECORDS ->
            d.add(
                Symptom.NO_ADDRESS, "the DNS knows " + host + " but gives it no A or AAAA record");
        case FOUND ->
            d.add(
                Symptom.NO_ADDRESS,
                "the DNS gives "
                    + a.records()
                    + " for "
                    + host
                    + " but this machine's resolver did not (check /etc/hosts and the resolver settings)");
      }
      d.summary(host + " does not resolve");
      ctx.block();
    }
  }

  /** The SRV records published for {@code domain}, and whether the settings are one of them. */
  private void srv(StepDraft d, String domain) {
    Pop3Settings s = ctx.settings();
    List<String> seen = new ArrayList<>();
    boolean matches = false;
    boolean any = false;
    for (String service : SERVICES) {
      Dns.Answer[] outcome = new Dns.Answer[1];
      for (Dns.Srv r : dns.srv(service + domain, outcome)) {
        any = true;
        if (r.target().equals(".")) {
          d.add(Symptom.SRV_NOT_OFFERED, service + domain + " has the target \".\"");
          continue;
        }
        seen.add(service + domain + " → " + r.target() + ":" + r.port());
        boolean tlsRecord = service.startsWith("_pop3s");
        if (r.target().equalsIgnoreCase(s.host())
            && r.port() == s.port()
            && tlsRecord == (s.security() == Security.IMPLICIT_TLS)) {
          matches = true;
        }
      }
      if (outcome[0].outcome() == Dns.Outcome.NO_ANSWER) {
        d.add(Symptom.DNS_NO_ANSWER, outcome[0].detail());
        return;
      }
    }
    if (!seen.isEmpty()) {
      d.add(Symptom.SRV_PUBLISHED, String.join("; ", seen));
      if (!matches) {
        d.add(
            Symptom.SRV_DIFFERS,
            "you set "
                + s.host()
                + ":"
                + s.port()
                + " ("
                + Advice.words(s.security())
                + "); the domain says "
                + String.join("; ", seen));
      }
    } else if (!any) {
      d.note("no POP3 SRV records for " + domain);
    }
  }

  /** RFC 6186 discovery for a mail domain: SRV records, then the usual names; best first. */
  static List<ServerChoice> discover(String domain, InetSocketAddress dnsServer, Duration timeout) {
    return discover(new Dns(dnsServer, timeout), domain);
  }

  private static List<ServerChoice> discover(Dns dns, String domain) {
    List<ServerChoice> out = new ArrayList<>();
    for (String service : SERVICES) {
      for (Dns.Srv r : dns.srv(service + domain, new Dns.Answer[1])) {
        if (!r.target().equals(".")) {
          out.add(
              new ServerChoice(
                  r.target(),
                  r.port(),
                  service.startsWith("_pop3s") ? Security.IMPLICIT_TLS : Security.STARTTLS,
                  "SRV " + service + domain));
        }
      }
    }
    if (out.isEmpty()) {
      for (String prefix : List.of("pop.", "pop3.", "mail.")) {
        if (dns.addresses(prefix + domain).outcome() == Dns.Outcome.FOUND) {
          out.add(
              new ServerChoice(
                  prefix + domain,
                  995,
                  Security.IMPLICIT_TLS,
                  "the usual name " + prefix + domain));
        }
      }
    }
    return out;
  }
}
