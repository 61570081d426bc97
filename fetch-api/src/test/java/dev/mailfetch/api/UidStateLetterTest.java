package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.UidRecord.State;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The letters the stores write for a state: files and databases already hold them. */
class UidStateLetterTest {

  @Test
  void everyState_hasTheLetterTheStoresHaveAlwaysWritten() {
    // docs/state.md and schema-1.sql: changing one makes existing state unreadable
    Map<State, Character> written =
        Map.of(
            State.BASELINE, 'B',
            State.DELIVERED, 'D',
            State.DUPLICATE, 'U',
            State.DELETED, 'X',
            State.FAILED, 'F');
    assertEquals(State.values().length, written.size());
    written.forEach(
        (state, letter) -> {
          assertEquals(letter, state.letter(), state.name());
          assertEquals(Optional.of(state), State.fromLetter(letter), state.name());
        });
  }

  @Test
  void aLetterNoStateHas_isEmpty() {
    for (char c : new char[] {'Q', 'b', 'P', '\0', 'é', '\uFFC3'}) {
      assertTrue(State.fromLetter(c).isEmpty(), "letter " + (int) c);
    }
  }
}
