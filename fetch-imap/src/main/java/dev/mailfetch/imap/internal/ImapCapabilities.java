package dev.mailfetch.imap.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the server says it can do (RFC 9051 §7.2.2), upper case, as last announced: capabilities
 * change after STARTTLS and after login, and are read again each time.
 */
public final class ImapCapabilities {
  private final Set<String> names;

  ImapCapabilities(Collection<String> announced) {
    Set<String> s = new LinkedHashSet<>();
    for (String n : announced) {
      if (n != null && !n.isBlank()) {
        s.add(n.toUpperCase(Locale.ROOT));
      }
    }
    this.names = Collections.unmodifiableSet(s);
  }

  /** Whether the server announced {@code name} (any case). */
  public boolean has(String name) {
    return names.contains(name.toUpperCase(Locale.ROOT));
  }

  /** The SASL mechanisms of {@code AUTH=...}, upper case, in the server's order. */
  public List<String> saslMechanisms() {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.startsWith("AUTH=")) {
        out.add(n.substring(5));
      }
    }
    return out;
  }

  /** Every name announced, upper case, in the server's order. */
  public Set<String> names() {
    return names;
  }

  @Override
  public String toString() {
    return String.join(" ", names);
  }
}
