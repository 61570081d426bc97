/**
 * The public API of mailfetch.
 *
 * <p>A fetch joins three parts: a {@link dev.mailfetch.api.FetchSource} where mail is (a POP3
 * account), a {@link dev.mailfetch.api.MessageSink} where it goes (a Maildir, a database), and a
 * {@link dev.mailfetch.api.UidStore} that remembers what was fetched. A {@link
 * dev.mailfetch.api.Fetcher} runs them so that no message is lost, none is delivered twice, none is
 * skipped without a reason, nothing hangs or grows without bound, and no secret reaches a log.
 * Every failure is a {@link dev.mailfetch.api.FetchException} carrying a {@link
 * dev.mailfetch.api.FetchError}.
 *
 * <p>Everything here but the engine's internals is API. Implementation classes are package-private.
 */
package dev.mailfetch.api;
