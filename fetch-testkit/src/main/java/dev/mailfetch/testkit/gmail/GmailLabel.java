package dev.mailfetch.testkit.gmail;

/**
 * A label of a {@link FakeGmailServer} mailbox as {@code users.labels} shows it.
 *
 * @param id the label's id: the name itself for a system label ({@code INBOX}), {@code Label_<n>}
 *     for a user label
 * @param name the label's name; a nested user label keeps its full path, {@code Clients/Acme}
 * @param system true for Gmail's own labels (type {@code system}), false for the user's ({@code
 *     user})
 */
public record GmailLabel(String id, String name, boolean system) {
  /** The label's {@code type} as the API spells it: {@code system} or {@code user}. */
  public String type() {
    return system ? "system" : "user";
  }
}
