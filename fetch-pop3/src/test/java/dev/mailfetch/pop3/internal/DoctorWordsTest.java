package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoctorWordsTest {
  @Test
  void howFarApart_exactly_withTheDirection() {
    assertEquals(" (1 byte more)", DoctorWords.apart(10, 11));
    assertEquals(" (1,024 bytes fewer)", DoctorWords.apart(2048, 1024));
  }

  @Test
  void seconds_whole_orToATenth() {
    assertEquals("30 s", DoctorWords.seconds(Duration.ofSeconds(30)));
    assertEquals("5.1 s", DoctorWords.seconds(Duration.ofMillis(5100)));
  }

  @Test
  void aLongIdIsShortened_aShortOneKept() {
    assertEquals("a".repeat(40), DoctorWords.shorten("a".repeat(40)));
    assertEquals("a".repeat(40) + "…", DoctorWords.shorten("a".repeat(41)));
  }

  @Test
  void messagesInWords() {
    assertEquals("message 1", DoctorWords.messages(List.of(1)));
    assertEquals("messages 1 and 3", DoctorWords.messages(List.of(1, 3)));
    assertEquals("messages 1, 3 and 5", DoctorWords.messages(List.of(1, 3, 5)));
  }
}
