/**
 * JMH benchmarks of mailfetch, with Angus Mail and Commons Net as baselines (issues #4 and #8). Not
 * a module: JMH runs benchmarks from the class path. See benchmarks/README.md.
 */
package dev.mailfetch.bench;
