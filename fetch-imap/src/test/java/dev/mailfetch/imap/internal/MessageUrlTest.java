package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.MessageRef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The IMAP source's message ids: RFC 5092 IMAP URL paths, percent-encoded where it says. */
class MessageUrlTest {
  @Test
  void inbox_isThePathOfItsImapUrl() {
    assertEquals(
        "INBOX;UIDVALIDITY=1733500000/;UID=42", new MessageUrl("INBOX", 1733500000L, 42).path());
  }

  @Test
  void aFolderName_isPercentEncodedWhereRfc5092SaysSo() {
    assertEquals(
        "Lists/java%20dev%3B%25%C3%BCber;UIDVALIDITY=7/;UID=1",
        new MessageUrl("Lists/java dev;%über", 7, 1).path());
    assertEquals("a&b=c:d@e~f;UIDVALIDITY=1/;UID=2", new MessageUrl("a&b=c:d@e~f", 1, 2).path());
  }

  @Test
  void anIdOfAnotherSource_isNotRead() {
    assertEquals(Optional.empty(), MessageUrl.parse("12345.abc"));
    assertEquals(Optional.empty(), MessageUrl.parse("INBOX;UIDVALIDITY=x/;UID=1"));
    assertEquals(Optional.empty(), MessageUrl.parse("IN%ZZBOX;UIDVALIDITY=1/;UID=1"));
    assertEquals(Optional.empty(), MessageUrl.parse("INBOX;UIDVALIDITY=1/;UID=1%"));
  }

  @Property(tries = 300)
  void everyFolderName_roundTrips_asAPrintableMessageId(
      @ForAll @StringLength(min = 1, max = 60) String folder,
      @ForAll @LongRange(min = 1, max = 4294967295L) long validity,
      @ForAll @LongRange(min = 1, max = 4294967295L) long uid) {
    String path = new MessageUrl(folder, validity, uid).path();
    new MessageRef(1, path, 0); // printable ASCII without spaces, or it throws
    Optional<MessageUrl> back = MessageUrl.parse(path);
    assertTrue(back.isPresent(), path);
    assertEquals(new MessageUrl(fromUtf8(folder), validity, uid), back.get());
  }

  /** {@code s} as its UTF-8 bytes decode (a lone surrogate becomes '?'). */
  private static String fromUtf8(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  @Test
  void uidSets_areRangesInCommandsOfBoundedLength() {
    TreeSet<Long> uids = new TreeSet<>(List.of(1L, 2L, 3L, 5L, 7L, 8L));
    assertEquals(List.of("1:3,5,7:8"), SourceDeletions.sets(uids));
    TreeSet<Long> many = new TreeSet<>();
    for (long u = 1; u < 20_000; u += 2) {
      many.add(u);
    }
    List<String> sets = SourceDeletions.sets(many);
    assertTrue(sets.size() > 1);
    int count = 0;
    for (String set : sets) {
      assertTrue(set.length() <= SourceDeletions.MAX_SET_CHARS, set.length() + "");
      count += set.split(",").length;
    }
    assertEquals(many.size(), count);
  }

  @Test
  void listedUids_areTakenOnce_inOrderOrNot() {
    FolderListing.UidsSeen seen = new FolderListing.UidsSeen();
    assertTrue(seen.add(3) && seen.add(5) && seen.add(9));
    assertTrue(!seen.add(9) && !seen.disordered);
    assertTrue(seen.add(4) && seen.disordered);
    assertTrue(!seen.add(3) && !seen.add(4) && seen.add(10));
  }
}
