package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageSamplesTest {
  private static List<Integer> numbers(int count) {
    return IntStream.rangeClosed(1, count).boxed().toList();
  }

  @Test
  void theFirstAndTheLast_thenSomeInBetween_inOrder() {
    assertEquals(List.of(1, 3, 5, 10), MessageSamples.choose(numbers(10), 4));
    assertEquals(List.of(1, 26, 51, 100), MessageSamples.choose(numbers(100), 4));
    assertEquals(List.of(1, 5), MessageSamples.choose(numbers(5), 2));
  }

  @Test
  void noneAsked_orNoneListed_noSample() {
    assertEquals(List.of(), MessageSamples.choose(numbers(10), 0));
    assertEquals(List.of(), MessageSamples.choose(List.of(), 3));
  }

  @Test
  void oneAsked_isTheFirst() {
    assertEquals(List.of(1), MessageSamples.choose(numbers(10), 1));
  }
}
