package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.QuirkId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SymptomReferencesTest {
  @Test
  void theReferencesShown_areTheRfcRulesThenTheQuirksByTheirIds() {
    for (Symptom s : Symptom.values()) {
      List<String> expected = new ArrayList<>(s.rfcs());
      s.quirks().forEach(q -> expected.add(q.name()));
      assertEquals(expected, s.references(), s.name());
    }
  }

  @Test
  void quirksAreNamedByTheCatalogue_neverAmongTheRfcRules() {
    for (Symptom s : Symptom.values()) {
      for (String rfc : s.rfcs()) {
        assertTrue(rfc.startsWith("RFC "), s + ": " + rfc);
        assertFalse(QuirkId.parse(rfc).isPresent(), s + ": " + rfc);
      }
    }
  }

  @Test
  void aSymptomAKnownServerShows_namesItsQuirk() {
    assertEquals(List.of("RFC 2595 §4", "Q23"), Symptom.STLS_FAILED.references());
    assertEquals(List.of(QuirkId.Q33, QuirkId.Q34), Symptom.TOP_REFUSED.quirks());
    assertEquals(List.of(), Symptom.NO_SUCH_HOST.quirks());
  }
}
