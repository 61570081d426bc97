package dev.mailfetch.gmail;

import java.util.List;

/**
 * The OAuth 2.0 scopes mailfetch asks for, narrowest first. docs/oauth.md says why each is needed
 * and what Google's verification asks of an app that requests it.
 */
public final class OAuthScopes {
  private OAuthScopes() {}

  /**
   * {@code users.messages.import} and {@code insert} only: adds mail, reads none. Restricted at
   * Google.
   */
  public static final String GMAIL_INSERT = "https://www.googleapis.com/auth/gmail.insert";

  /**
   * {@code labels.list} and {@code labels.create} (and update, delete): labels only. Not sensitive.
   */
  public static final String GMAIL_LABELS = "https://www.googleapis.com/auth/gmail.labels";

  /**
   * {@code users.getProfile} and {@code messages.list} with a {@code q=} search (the import sink's
   * {@code rfc822msgid:} look-up after a crash; {@code gmail.metadata} does not allow {@code q}).
   * Reads mail, changes nothing. Restricted at Google.
   */
  public static final String GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly";

  /** Full access to the mailbox: the only scope Gmail's POP3, IMAP and SMTP accept (XOAUTH2). */
  public static final String GOOGLE_MAIL = "https://mail.google.com/";

  /** POP3 with OAuth at Outlook.com and Microsoft 365 (XOAUTH2). */
  public static final String MICROSOFT_POP = "https://outlook.office.com/POP.AccessAsUser.All";

  /**
   * IMAP with OAuth at Outlook.com and Microsoft 365 (XOAUTH2): a POP3 grant does not log in to
   * IMAP there.
   */
  public static final String MICROSOFT_IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All";

  /** Asks Microsoft for a refresh token (Google uses {@code access_type=offline} instead). */
  public static final String MICROSOFT_OFFLINE_ACCESS = "offline_access";

  /**
   * What the Gmail import sink needs and no more: import ({@link #GMAIL_INSERT}), look up and
   * create labels ({@link #GMAIL_LABELS}), check the account and find a message after a crash
   * ({@link #GMAIL_READONLY}). None of them lets mailfetch change or delete mail already in Gmail.
   */
  public static final List<String> GMAIL_IMPORT =
      List.of(GMAIL_INSERT, GMAIL_LABELS, GMAIL_READONLY);

  /** Fetching from Gmail by POP3 (XOAUTH2): Google offers no narrower scope for POP3. */
  public static final List<String> GMAIL_POP3 = List.of(GOOGLE_MAIL);

  /** Fetching from Gmail by IMAP (XOAUTH2): the same full-access scope as POP3's. */
  public static final List<String> GMAIL_IMAP = List.of(GOOGLE_MAIL);

  /** Fetching from Outlook.com or Microsoft 365 by IMAP, with a refresh token. */
  public static final List<String> MICROSOFT_IMAP_FETCH =
      List.of(MICROSOFT_IMAP, MICROSOFT_OFFLINE_ACCESS);

  /** Fetching from Outlook.com or Microsoft 365 by POP3, with a refresh token. */
  public static final List<String> MICROSOFT_POP3 =
      List.of(MICROSOFT_POP, MICROSOFT_OFFLINE_ACCESS);
}
