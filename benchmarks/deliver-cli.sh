#!/usr/bin/env bash
# The whole `mailfetch fetch … --to imap://…` process, timed by /usr/bin/time: every message of a
# POP3 server on 127.0.0.1:POP3_PORT (plain text, user alice, password in $MAIL_PW) appended to
# INBOX of an IMAP server on 127.0.0.1:IMAP_PORT (plain text, user alice, password in $IMAP_PW),
# in keep mode with a fresh state in STATE_DIR (which must be empty or new). DeliveryRounds runs it
# as its cliImap row against `mailfetch fake-server` and a private Dovecot; by hand:
#
#   MAIL_PW=bench java -jar fetch-cli/target/mailfetch.jar fake-server --port 1110 --tls none \
#       --user alice --password-env MAIL_PW --generate 10000 &
#   MAIL_PW=bench IMAP_PW=... benchmarks/deliver-cli.sh 1110 IMAP_PORT /tmp/state-1
#
# Build the jar first (never `install`): ./mvnw -o -q -B -ntp package -pl fetch-cli -am -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
pop3=${1:?"POP3 port"}; imap=${2:?"IMAP port"}; state=${3:?"state directory"}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
/usr/bin/time -f 'time: %e s elapsed, %U s user, %S s system, %M KB max RSS, exit %x' \
  "$java" -jar fetch-cli/target/mailfetch.jar fetch "pop3://alice@127.0.0.1:$pop3" \
  --tls none --allow-plaintext-auth --password-env MAIL_PW \
  --to "imap://alice@127.0.0.1:$imap/INBOX" --sink-tls none --sink-allow-plaintext-auth \
  --sink-password-env IMAP_PW --state "$state" --dedup none --quiet
