package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Security;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What one session learns about a server and hands to the next. */
class ServerMemoryTest {
  private static Pop3Settings settings(Boolean pipelining) {
    return Pop3Settings.builder()
        .host("pop.example.org")
        .port(110)
        .security(Security.NONE)
        .limits(Pop3Limits.builder().build())
        .pipelining(pipelining)
        .account("alice")
        .build();
  }

  @Test
  void stoppingPipelining_notesTheQuirk_andTurnsItOffForThisAndLaterConnections() {
    ServerMemory memory = new ServerMemory();
    Pop3Connection first = new Pop3Connection(settings(true), memory);
    assertTrue(first.pipelining());
    assertEquals(Pop3Connection.WINDOW, first.window());
    memory.stopPipelining(first, QuirkId.Q21, null);
    assertFalse(first.pipelining());
    assertEquals(1, first.window());
    assertEquals(Set.of(QuirkId.Q21), first.quirks());
    Pop3Connection next = new Pop3Connection(settings(true), memory);
    assertFalse(next.pipelining(), "handed on to the next session of the source");
  }

  @Test
  void aBodyThatRanIntoTheNextReply_isNotedAsItsOwnQuirk() {
    ServerMemory memory = new ServerMemory();
    Pop3Connection c = new Pop3Connection(settings(null), memory);
    memory.stopPipelining(c, QuirkId.Q03, null);
    assertTrue(memory.noPipelining);
    assertEquals(Set.of(QuirkId.Q03), c.quirks());
  }

  @Test
  void settings_toBuilder_changesOnlyWhatIsSet() {
    Pop3Settings s = settings(null);
    Pop3Settings t = s.toBuilder().port(995).security(Security.IMPLICIT_TLS).build();
    assertEquals(995, t.port());
    assertEquals(Security.IMPLICIT_TLS, t.security());
    assertEquals(s.host(), t.host());
    assertEquals(s.account(), t.account());
    assertEquals(s.limits(), t.limits());
    assertEquals(s, t.toBuilder().port(110).security(Security.NONE).build());
  }
}
