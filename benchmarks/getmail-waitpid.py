#!/usr/bin/python3
"""getmail6 with its delivery children waited for by waitpid (the benchmark's getmail row).

getmail6 6.18.11 forks a child for every Maildir delivery and installs its SIGCHLD handler in the
parent only after the fork (getmailcore.baseclasses.ForkingBase.forkchild, then _prepare_child),
then waits on a condition the handler notifies. When the child exits before the handler is in
place, or before the parent waits, the notification is lost and getmail waits for its socket
timeout (180 s) and fails with "waiting child pid N timed out". On a busy two-core machine this
happened within the first 300 messages (docs/benchmarks.md, "getmail"). Here the parent waits for
the child with waitpid instead: the same fork and delivery per message, no lost wake-up.
Usage: getmail-waitpid.py GETMAIL-ARGUMENTS...
"""
import os
import runpy

from getmailcore import baseclasses
from getmailcore.exceptions import getmailOperationError


def _prepare_child(self):
    pass  # no SIGCHLD handler: _wait_for_child reaps the child itself


def _wait_for_child(self, childpid):
    pid, status = os.waitpid(childpid, 0)
    if os.WIFSIGNALED(status):
        raise getmailOperationError(
            "child pid %d killed by signal %d" % (pid, os.WTERMSIG(status)))
    if not os.WIFEXITED(status):
        raise getmailOperationError("child pid %d failed to exit" % pid)
    return os.WEXITSTATUS(status)


baseclasses.ForkingBase._prepare_child = _prepare_child
baseclasses.ForkingBase._wait_for_child = _wait_for_child
runpy.run_path("/usr/bin/getmail", run_name="__main__")
