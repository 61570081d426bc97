package dev.mailfetch.cli.serve;

import dev.mailfetch.poll.PollStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which accounts a request of the accounts page (or of {@code /accounts.json}) shows, in which
 * order: those a person must act on first (paused), then those whose checks fail, then the rest,
 * each group by name; a page of {@link #PER_PAGE} rows, optionally only one state or names
 * containing a text. With 2,000 accounts a page of all of them was 1.9 MB of HTML refreshed every 3
 * s; an operator reads the few that need them, and the summary counts the rest.
 *
 * <p>The order and the counts come from every account's status (a lock and a small record each);
 * only the page's rows read their history and are put into words, so a request costs a page's rows
 * whatever the number of accounts.
 */
final class AccountsView {
  /** Rows on a page. */
  static final int PER_PAGE = 100;

  /** The longest name filter kept (the request target is bounded anyway). */
  static final int MAX_FILTER = 100;

  /**
   * What a request asks for: {@code ?page=N&state=WORD&q=TEXT}, each optional.
   *
   * @param page 1 for the first page
   * @param state only accounts in this state, or null for all
   * @param q only accounts whose name contains this (ignoring case), or "" for all
   */
  record Query(int page, Mailboxes.State state, String q) {
    static final Query FIRST = new Query(1, null, "");

    /** The query of a request's raw query string; what it cannot read it leaves at its default. */
    static Query parse(String raw) {
      int page = 1;
      Mailboxes.State state = null;
      String q = "";
      if (raw != null) {
        for (String pair : raw.split("&", -1)) {
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            continue;
          }
          String key = pair.substring(0, eq);
          String value;
          try {
            value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).trim();
          } catch (IllegalArgumentException badEscape) {
            continue;
          }
          switch (key) {
            case "page":
              try {
                page = Math.max(1, Integer.parseInt(value));
              } catch (NumberFormatException e) {
                page = 1;
              }
              break;
            case "state":
              for (Mailboxes.State s : Mailboxes.State.values()) {
                if (s.word().equals(value)) {
                  state = s;
                }
              }
              break;
            case "q":
              q = value.length() > MAX_FILTER ? value.substring(0, MAX_FILTER) : value;
              break;
            default:
          }
        }
      }
      return new Query(page, state, q);
    }

    /** This query on another page, as a query string ("" for the first page of all accounts). */
    String search(int onPage) {
      StringBuilder sb = new StringBuilder();
      if (onPage > 1) {
        sb.append("&page=").append(onPage);
      }
      if (state != null) {
        sb.append("&state=").append(state.word());
      }
      if (!q.isEmpty()) {
        sb.append("&q=").append(HtmlText.segment(q));
      }
      return sb.length() == 0 ? "" : "?" + sb.substring(1);
    }
  }

  /** An account's place in the order: by what it needs, then by name. */
  private record Place(String account, String name, int rank, Mailboxes.State state) {}

  private static final Comparator<Place> ORDER =
      Comparator.comparingInt(Place::rank).thenComparing(Place::name);

  final Query query;

  /** Accounts by state over all accounts (not only the filter's), as the poller says them now. */
  final Map<Mailboxes.State, Integer> counts;

  final int total;
  final int matching;
  final int pages;

  /** The page shown: the one asked for, or the last if it asked beyond it. */
  final int page;

  final List<Mailboxes.Row> rows;

  private AccountsView(
      Query query,
      Map<Mailboxes.State, Integer> counts,
      int total,
      int matching,
      int pages,
      int page,
      List<Mailboxes.Row> rows) {
    this.query = query;
    this.counts = counts;
    this.total = total;
    this.matching = matching;
    this.pages = pages;
    this.page = page;
    this.rows = rows;
  }

  static AccountsView of(Mailboxes boxes, Query query) {
    Map<Mailboxes.State, Integer> counts = new EnumMap<>(Mailboxes.State.class);
    for (Mailboxes.State s : Mailboxes.State.values()) {
      counts.put(s, 0);
    }
    String q = query.q().toLowerCase(Locale.ROOT);
    List<Place> chosen = new ArrayList<>();
    int total = 0;
    for (String account : boxes.poller.accounts()) {
      PollStatus s;
      try {
        s = boxes.poller.status(account);
      } catch (IllegalArgumentException gone) {
        continue; // a shared poll gave it up meanwhile
      }
      total++;
      Mailboxes.State state = Mailboxes.state(s);
      counts.merge(state, 1, Integer::sum);
      String name = boxes.desk.name(account);
      if ((query.state() == null || query.state() == state)
          && (q.isEmpty() || name.toLowerCase(Locale.ROOT).contains(q))) {
        chosen.add(new Place(account, name, rank(s), state));
      }
    }
    chosen.sort(ORDER);
    int pages = Math.max(1, (chosen.size() + PER_PAGE - 1) / PER_PAGE);
    int page = Math.min(query.page(), pages);
    List<Mailboxes.Row> rows = new ArrayList<>(PER_PAGE);
    int from = (page - 1) * PER_PAGE;
    for (Place p : chosen.subList(from, Math.min(chosen.size(), from + PER_PAGE))) {
      boxes.row(p.account()).ifPresent(rows::add);
    }
    return new AccountsView(query, counts, total, chosen.size(), pages, page, rows);
  }

  /**
   * Paused first (a person must act), then failing (backing off by itself), then the rest. A
   * running check does not move a row: it keeps the place its last checks gave it.
   */
  private static int rank(PollStatus s) {
    if (s.pausedBy().isPresent()) {
      return 0;
    }
    return s.failuresInARow() > 0 ? 1 : 2;
  }

  /** Where a button of this page sends the browser back to: this page, "" for the first. */
  String back() {
    return "/" + query.search(page);
  }

  /** The view as JSON: where the page is, the counts, and the page's rows. */
  String json(Mailboxes boxes) {
    StringBuilder sb =
        new StringBuilder(256 + rows.size() * 600)
            .append("{\"page\":")
            .append(page)
            .append(",\"pages\":")
            .append(pages)
            .append(",\"perPage\":")
            .append(PER_PAGE)
            .append(",\"matching\":")
            .append(matching)
            .append(",\"summary\":{\"total\":")
            .append(total);
    for (Map.Entry<Mailboxes.State, Integer> e : counts.entrySet()) {
      sb.append(",\"").append(e.getKey().word()).append("\":").append(e.getValue());
    }
    sb.append("},\"accounts\":");
    boxes.json(rows, sb);
    return sb.append('}').toString();
  }
}
