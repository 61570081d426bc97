package dev.mailfetch.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * The accounts page's query (page, state, name filter) as a request gives it, hostile or not, and
 * where a button of a page goes back to.
 */
class AccountsViewTest {
  @Test
  void query_readsPageStateAndName_andLeavesWhatItCannotReadAtItsDefault() {
    AccountsView.Query q = AccountsView.Query.parse("page=3&state=failing&q=Acct%2019");
    assertEquals(3, q.page());
    assertEquals(Mailboxes.State.FAILING, q.state());
    assertEquals("Acct 19", q.q());
    assertEquals("?page=3&state=failing&q=Acct%2019", q.search(q.page()));
    assertEquals("?state=failing&q=Acct%2019", q.search(1), "the first page has no page=");

    AccountsView.Query bad =
        AccountsView.Query.parse("page=-4&state=<script>&q=%zz&page2=9&=x&flag");
    assertEquals(1, bad.page());
    assertNull(bad.state());
    assertEquals("", bad.q());
    assertEquals("", bad.search(1));
    assertEquals(1, AccountsView.Query.parse("page=99999999999999").page());
    assertEquals(1, AccountsView.Query.parse(null).page());
    assertEquals(
        AccountsView.MAX_FILTER, AccountsView.Query.parse("q=" + "a".repeat(500)).q().length());
  }

  @Test
  void nameFilter_withMarkupAndAmpersands_comesBackEncoded_neverAsAnotherParameter() {
    AccountsView.Query q = AccountsView.Query.parse("q=" + HtmlText.segment("a&page=7\"<b>"));
    assertEquals("a&page=7\"<b>", q.q());
    assertEquals(1, q.page());
    String search = q.search(2);
    assertEquals("?page=2&q=a%26page%3D7%22%3Cb%3E", search);
    assertEquals(q.q(), AccountsView.Query.parse(search.substring(1)).q(), "round trip");
  }

  @Test
  void back_isAPageOfThisSite_orTheAccountsPage() {
    assertEquals("/?page=2&state=idle", SortingOffice.back("/?page=2&state=idle"));
    assertEquals("/accounts/bob", SortingOffice.back("/accounts/bob"));
    assertEquals("/", SortingOffice.back(null));
    assertEquals("/", SortingOffice.back("https://elsewhere.example/"));
    assertEquals("/", SortingOffice.back("//elsewhere.example/?x"));
    assertEquals("/", SortingOffice.back("/?q=a//elsewhere"));
    assertEquals("/", SortingOffice.back("/?page=2\r\nSet-Cookie: x=1"));
    assertEquals("/", SortingOffice.back("/?page=2 x"));
    assertEquals("/", SortingOffice.back("/?page=2\\x"));
  }
}
