package dev.mailfetch.pop3.internal;

import dev.mailfetch.pop3.internal.PortProbe.PortSpeaks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the chosen port and the usual others answered the connection stage, and what the findings of
 * later stages suggest from it ("port 995 speaks POP3 over TLS").
 *
 * @param chosen what the port of the settings speaks
 * @param others what each other port probed speaks, by port
 */
record PortsHeard(PortSpeaks chosen, SortedMap<Integer, PortSpeaks> others) {
  PortsHeard {
    others = Collections.unmodifiableSortedMap(new TreeMap<>(others));
  }

  /** "995 TLS, 110 plain POP3", in the order of the ports; empty where no other was probed. */
  String alternatives() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<Integer, PortSpeaks> o : others.entrySet()) {
      out.add(o.getKey() + " " + o.getValue().words);
    }
    return String.join(", ", out);
  }

  /**
   * Where to go instead, after a finding's words ("; port 995 speaks POP3 over TLS"): a TLS port
   * first, else one of plain POP3; empty where no other port speaks POP3.
   */
  String suggestion() {
    for (Map.Entry<Integer, PortSpeaks> o : others.entrySet()) {
      if (o.getValue() == PortSpeaks.TLS) {
        return "; port " + o.getKey() + " speaks POP3 over TLS";
      }
    }
    for (Map.Entry<Integer, PortSpeaks> o : others.entrySet()) {
      if (o.getValue() == PortSpeaks.POP3) {
        return "; port " + o.getKey() + " speaks plain POP3";
      }
    }
    return "";
  }

  /** Whether another port answers a TLS handshake. */
  boolean otherPortSpeaksTls() {
    return others.containsValue(PortSpeaks.TLS);
  }
}
