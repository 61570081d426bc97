/** The {@code mailfetch} command line: arguments, progress, reports and exit codes. */
package dev.mailfetch.cli;
