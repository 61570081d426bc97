package dev.mailfetch.api;

import java.util.Objects;
import java.util.Set;

/**
 * What a sink is told about a message before its bytes arrive.
 *
 * @param account the account it was fetched from, as {@link FetchSource#account()} names it
 * @param uid its unique id on the server, or null where the server has no stable ids
 * @param size the size the server announced, a hint only (the bytes may differ)
 * @param labels labels to file it under, as the {@link LabelPolicy} decided; may be empty
 * @param archived true to keep it out of the inbox (Gmail's "archive"): a sink that has folders
 *     files it only under its labels
 */
public record Envelope(
    String account, String uid, long size, Set<String> labels, boolean archived) {
  /**
   * Checks the components and keeps a copy of {@code labels}.
   *
   * @param account the account it was fetched from, as {@link FetchSource#account()} names it
   * @param uid its unique id on the server, or null where the server has no stable ids
   * @param size the size the server announced, a hint only (the bytes may differ)
   * @param labels labels to file it under, as the {@link LabelPolicy} decided; may be empty
   * @param archived true to keep it out of the inbox (Gmail's "archive"): a sink that has folders
   *     files it only under its labels
   * @throws NullPointerException if {@code account} or {@code labels} (or one of the labels) is
   *     null
   * @throws IllegalArgumentException if {@code size} is negative
   */
  public Envelope {
    Objects.requireNonNull(account, "account");
    labels = Set.copyOf(labels);
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }
}
