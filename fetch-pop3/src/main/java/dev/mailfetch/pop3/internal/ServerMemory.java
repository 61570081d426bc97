package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.QuirkId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What sessions learn about a server and hand on to the next session of the same source: that CAPA
 * must not be sent (it closed or hung, quirk Q19), that pipelining stalls or goes wrong (quirk
 * Q21), that the single forms {@code UIDL n} / {@code LIST n} answer multi-line (quirk Q28).
 */
public final class ServerMemory {
  // The session's logger, by name: the command mutes it where its report says the same.
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  volatile boolean noCapa;
  volatile boolean noPipelining;

  /** {@code UIDL n} / {@code LIST n} answered multi-line (quirk Q28): use the bulk forms. */
  volatile boolean noSingleForms;

  /**
   * Pipelining is off for this server from now on: {@code quirk} (Q21, or Q02/Q03 for a body that
   * ran into the next reply) is noted on {@code connection}, and {@code why} (the words between the
   * account and "; pipelining is off for it from now on") is logged as a warning, or nothing when
   * null. The one place where any session turns pipelining off.
   */
  void stopPipelining(Pop3Connection connection, QuirkId quirk, String why) {
    noPipelining = true;
    connection.noticed(quirk);
    if (why != null) {
      log.warn(
          "{} - {}; pipelining is off for it from now on", connection.settings().account(), why);
    }
  }

  /** RFC 2449 P6: no answer while pipelining; a false alarm only costs speed next time. */
  void pipeliningStalled(Pop3Connection connection) {
    stopPipelining(
        connection, QuirkId.Q21, connection.server() + " stopped answering pipelined commands");
  }
}
