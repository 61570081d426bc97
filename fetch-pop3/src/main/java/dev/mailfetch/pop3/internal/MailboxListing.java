package dev.mailfetch.pop3.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The mailbox as the doctor's STAT, LIST and UIDL saw it, numbers and values apart and in the
 * server's order, whatever they say: what the compliance checks judge. (Not {@code
 * api.internal.Listing}, which is what a fetch keeps of a listing it accepted.)
 */
final class MailboxListing {
  private final int statCount;
  private final long statOctets;
  private final List<Integer> listNumbers = new ArrayList<>();
  private final List<Long> sizes = new ArrayList<>();
  private final List<Integer> uidlNumbers = new ArrayList<>();
  private final List<String> uids = new ArrayList<>();
  private boolean uidl;

  MailboxListing(int statCount, long statOctets) {
    this.statCount = statCount;
    this.statOctets = statOctets;
  }

  void listed(int number, long size) {
    listNumbers.add(number);
    sizes.add(size);
  }

  /** UIDL was answered +OK: from now on {@link #uidl()}, with the lines it lists. */
  void uidlAnswered() {
    uidl = true;
  }

  void uidListed(int number, String uid) {
    uidlNumbers.add(number);
    uids.add(uid);
  }

  int statCount() {
    return statCount;
  }

  long statOctets() {
    return statOctets;
  }

  /** LIST's message numbers, in the order listed. */
  List<Integer> listNumbers() {
    return List.copyOf(listNumbers);
  }

  /** LIST's sizes, one for each of {@link #listNumbers()}; -1 where it was no number. */
  List<Long> sizes() {
    return List.copyOf(sizes);
  }

  /** The sum of LIST's sizes. */
  long sizeSum() {
    return sizes.stream().mapToLong(Long::longValue).sum();
  }

  /** Whether UIDL was answered. */
  boolean uidl() {
    return uidl;
  }

  /** UIDL's message numbers, in the order listed. */
  List<Integer> uidlNumbers() {
    return List.copyOf(uidlNumbers);
  }

  /** UIDL's ids, one for each of {@link #uidlNumbers()}. */
  List<String> uids() {
    return List.copyOf(uids);
  }

  /** LIST's size of message {@code number}, or -1 where LIST did not list it. */
  long size(int number) {
    int i = listNumbers.indexOf(number);
    return i < 0 ? -1 : sizes.get(i);
  }

  /** UIDL's id of message {@code number}, or null where UIDL did not list it. */
  String uid(int number) {
    int i = uidlNumbers.indexOf(number);
    return i < 0 ? null : uids.get(i);
  }
}
