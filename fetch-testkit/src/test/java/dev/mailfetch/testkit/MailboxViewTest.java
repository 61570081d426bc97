package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q26_UIDL_UNSTABLE;
import static dev.mailfetch.testkit.Quirk.Q29_NUMBERING_GAPS;
import static dev.mailfetch.testkit.Quirk.Q29_NUMBERING_ZERO_BASED;
import static dev.mailfetch.testkit.Quirk.Q30_DELE_NOT_HONOURED;
import static dev.mailfetch.testkit.Quirk.Q32_LIST_SIZE_LF_COUNT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A session's {@link MailboxView}: numbers, UIDs, sizes, and what UPDATE removes. */
class MailboxViewTest {
  private static Account account(int messages) {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 1; i <= messages; i++) {
      box.add("Subject: " + i + "\r\n\r\nbody\r\n");
    }
    return new Account("alice", "pw", box);
  }

  @Test
  void withoutQuirks_numbersFromOne_andEachNumberNamesItsMessage() {
    MailboxView v = new MailboxView(account(3), Set.of(), 1);
    assertEquals(List.of("1 uid-000001", "2 uid-000002", "3 uid-000003"), v.listing(true));
    assertEquals(List.of("1 20", "2 20", "3 20"), v.listing(false));
    assertEquals(-1, v.indexOf(0));
    assertEquals(2, v.indexOf(3));
    assertEquals(-1, v.indexOf(4));
  }

  @Test
  void Q29_everyListedNumberLeadsBackToItsMessage() {
    for (Quirk q : List.of(Q29_NUMBERING_ZERO_BASED, Q29_NUMBERING_GAPS)) {
      MailboxView v = new MailboxView(account(6), Set.of(q), 1);
      for (int i = 0; i < v.size(); i++) {
        assertEquals(i, v.indexOf(v.listedNumber(i)), q + " message " + i);
      }
    }
    MailboxView gaps = new MailboxView(account(4), Set.of(Q29_NUMBERING_GAPS), 1);
    assertEquals(List.of("1 20", "2 20", "5 20", "6 20"), gaps.listing(false));
    assertEquals(-1, gaps.indexOf(3));
  }

  @Test
  void Q26_uidsDependOnTheSession() {
    assertEquals(
        "s7-uid-000001", new MailboxView(account(1), Set.of(Q26_UIDL_UNSTABLE), 7).uidOf(0));
  }

  @Test
  void Q32_sizeCountsLfAsOneByte_andStatAddsListedSizes() {
    MailboxView v = new MailboxView(account(2), Set.of(Q32_LIST_SIZE_LF_COUNT), 1);
    assertEquals(17, v.listedSize(0));
    assertEquals(34, v.octets());
  }

  @Test
  void deletedMessages_leaveListingsAndStat_andTheMailboxAtUpdate() {
    Account a = account(3);
    MailboxView v = new MailboxView(a, Set.of(), 1);
    v.delete(1);
    assertEquals(List.of("1 uid-000001", "3 uid-000003"), v.listing(true));
    assertEquals(2, v.count());
    assertEquals(1, v.update());
    assertEquals(List.of("uid-000001", "uid-000003"), List.copyOf(a.mailbox.uids()));
  }

  @Test
  void rset_undeletes_andQ30_neverRemoves() {
    Account a = account(2);
    MailboxView v = new MailboxView(a, Set.of(Q30_DELE_NOT_HONOURED), 1);
    v.delete(0);
    v.undeleteAll();
    assertEquals(2, v.count());
    v.delete(0);
    assertEquals(1, v.update(), "the client is told it was deleted");
    assertEquals(2, a.mailbox.size());
  }
}
