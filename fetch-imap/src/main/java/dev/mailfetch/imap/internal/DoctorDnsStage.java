package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.doctor.Dns;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapDoctor.ServerChoice;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSymptom;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The IMAP doctor's DNS stage: the server found for a mail domain (RFC 6186 {@code _imaps._tcp},
 * then {@code _imap._tcp} SRV records, then the usual names), the SRV records the domain publishes
 * compared with the settings, and the host's addresses, with what the DNS itself says where none
 * were found. The questions are the shared {@link Dns}'s.
 */
final class DoctorDnsStage {
  private static final String IMAPS = "_imaps._tcp.";
  private static final List<String> SERVICES = List.of(IMAPS, "_imap._tcp.");

  private final DoctorExamination exam;
  private final Dns dns;

  DoctorDnsStage(DoctorExamination exam) {
    this.exam = exam;
    this.dns = new Dns(exam.plan().dnsServer(), exam.plan().timeout());
  }

  void run() {
    DoctorDraft d = exam.begin(Stage.DNS);
    DoctorPlan plan = exam.plan();
    if (plan.discover()) {
      String domain = plan.host();
      List<ServerChoice> found = discover(dns, domain);
      if (found.isEmpty()) {
        d.add(
            ImapSymptom.SRV_NONE,
            "no _imaps._tcp or _imap._tcp SRV record for "
                + domain
                + ", and neither imap."
                + domain
                + " nor mail."
                + domain
                + " resolves");
        d.summary("no IMAP server found for " + domain);
        d.end();
        exam.block();
        return;
      }
      ServerChoice best = found.get(0);
      exam.examine(best);
      srv(d, domain, "found " + best.host() + ":" + best.port() + " by " + best.foundBy());
    } else if (plan.srvDomain() != null) {
      srv(d, plan.srvDomain(), null);
    }
    addresses(d, exam.host());
    d.end();
  }

  private void addresses(DoctorDraft d, String host) {
    String shownHost = host;
    if (Dns.literal(host)) {
      try {
        exam.address(InetAddress.getByName(host.replace("[", "").replace("]", "")));
        d.summary(prefix(d) + shownHost + " is an address; no DNS needed");
      } catch (UnknownHostException e) {
        d.add(
            ImapSymptom.ADDRESS_INVALID,
            "\"" + FetchException.escape(host) + "\" is not a valid IP address");
        exam.block();
      }
      return;
    }
    try {
      List<InetAddress> all = dns.resolve(host);
      exam.address(all.get(0));
      List<String> shown = new ArrayList<>();
      for (InetAddress a : all) {
        shown.add(a.getHostAddress());
      }
      d.summary(prefix(d) + host + " → " + String.join(", ", shown));
    } catch (UnknownHostException e) {
      Dns.Answer a = dns.addresses(host);
      switch (a.outcome()) {
        case NO_SUCH_NAME -> d.add(ImapSymptom.NO_SUCH_HOST, a.detail());
        case NO_ANSWER -> d.add(ImapSymptom.DNS_NO_ANSWER, a.detail());
        case NO_RECORDS ->
            d.add(
                ImapSymptom.NO_ADDRESS,
                "the DNS knows " + host + " but gives it no A or AAAA record");
        case FOUND ->
            d.add(
                ImapSymptom.NO_ADDRESS,
                "the DNS gives "
                    + a.records()
                    + " for "
                    + host
                    + " but this machine's resolver did not (check /etc/hosts and the resolver"
                    + " settings)");
      }
      d.summary(host + " does not resolve");
      exam.block();
    }
  }

  private static String prefix(DoctorDraft d) {
    return d.summary().isEmpty() ? "" : d.summary() + "; ";
  }

  /** The SRV records published for {@code domain}, and whether the settings are one of them. */
  private void srv(DoctorDraft d, String domain, String found) {
    List<String> seen = new ArrayList<>();
    boolean matches = false;
    for (String service : SERVICES) {
      Dns.Answer[] outcome = new Dns.Answer[1];
      for (Dns.Srv r : dns.srv(service + domain, outcome)) {
        if (r.target().equals(".")) {
          d.add(ImapSymptom.SRV_NOT_OFFERED, service + domain + " has the target \".\"");
          continue;
        }
        seen.add(service + domain + " → " + r.target() + ":" + r.port());
        boolean tlsRecord = service.equals(IMAPS);
        if (r.target().equalsIgnoreCase(exam.host())
            && r.port() == exam.port()
            && tlsRecord == (exam.security() == ImapSecurity.IMPLICIT_TLS)) {
          matches = true;
        }
      }
      if (outcome[0].outcome() == Dns.Outcome.NO_ANSWER) {
        d.add(ImapSymptom.DNS_NO_ANSWER, outcome[0].detail());
        exam.block();
        return;
      }
    }
    if (found != null) {
      d.summary(found);
    }
    if (!seen.isEmpty()) {
      d.add(ImapSymptom.SRV_PUBLISHED, String.join("; ", seen));
      if (!matches) {
        d.add(
            ImapSymptom.SRV_DIFFERS,
            "you set "
                + exam.host()
                + ":"
                + exam.port()
                + " ("
                + words(exam.security())
                + "); the domain says "
                + String.join("; ", seen));
      }
    }
  }

  static String words(ImapSecurity s) {
    return switch (s) {
      case IMPLICIT_TLS -> "implicit TLS";
      case STARTTLS -> "STARTTLS";
      case NONE -> "no encryption";
    };
  }

  static List<ServerChoice> discover(String domain, InetSocketAddress dnsServer, Duration timeout) {
    return discover(new Dns(dnsServer, timeout), domain);
  }

  /** RFC 6186 §3.2: SRV records (implicit TLS first, RFC 8314), then the usual names on 993. */
  private static List<ServerChoice> discover(Dns dns, String domain) {
    List<ServerChoice> out = new ArrayList<>();
    for (String service : SERVICES) {
      for (Dns.Srv r : dns.srv(service + domain, new Dns.Answer[1])) {
        if (!r.target().equals(".")) {
          out.add(
              new ServerChoice(
                  r.target(),
                  r.port(),
                  service.equals(IMAPS) ? ImapSecurity.IMPLICIT_TLS : ImapSecurity.STARTTLS,
                  "SRV " + service + domain));
        }
      }
    }
    if (out.isEmpty()) {
      for (String prefix : List.of("imap.", "mail.")) {
        if (dns.addresses(prefix + domain).outcome() == Dns.Outcome.FOUND) {
          out.add(
              new ServerChoice(
                  prefix + domain,
                  993,
                  ImapSecurity.IMPLICIT_TLS,
                  "the usual name " + prefix + domain));
        }
      }
    }
    return out;
  }
}
