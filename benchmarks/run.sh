#!/usr/bin/env bash
# Runs one benchmark group and writes its results file:
#   benchmarks/results/<version>-jdk<N>-<machine>-<group>.txt
# with a header (version, date, CPU, JDK, command) and the raw output.
#
#   benchmarks/run.sh GROUP [short|full]        GROUP: parser engine state e2e e2e-dovecot discard-dovecot maildir-dovecot deliver deliver-rounds imap-source imap-latency imap-poll shared-poll whole-process latency memory scale all
#   DELIVER_OPTS="-Dsaving=DURABLE -Drows=bareImap,mailfetchImap" RESULT_TAG=durable benchmarks/run.sh deliver-rounds
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/run.sh e2e   # another JDK
#   JAVA_OPTS="-XX:+UseSerialGC" WHOLE_OPTS="-Dmaildir=disk -Dworkloads=first" benchmarks/run.sh whole-process
#
# "short" (the default) finishes every group in under 10 minutes on the project's 2-core machine;
# "full" is for careful runs. Build first: ./mvnw -q -pl benchmarks -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
group=${1:?"which group? parser engine state e2e e2e-dovecot discard-dovecot maildir-dovecot deliver deliver-rounds imap-source imap-latency imap-poll shared-poll whole-process latency memory scale all"}
profile=${2:-short}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }

if [ "$group" = all ]; then
  for g in parser engine state e2e e2e-dovecot latency memory scale; do "$0" "$g" "$profile"; done
  exit 0
fi

short() { [ "$profile" = short ]; }
case "$group" in
  parser)      args=(ParserBenchmark -prof gc); short && args+=(-wi 2 -w 1 -i 3 -r 1 -f 1) ;;
  engine)      args=(EngineBenchmark -prof gc); short && args+=(-wi 3 -w 2 -i 5 -r 2 -f 1) ;;
  state)       args=(StateBenchmark); short && args+=(-wi 1 -i 3 -f 1) ;;
  e2e)         args=(EndToEndBenchmark -p server=testkit); short && args+=(-wi 1 -w 4 -i 3 -r 4 -f 1) ;;
  e2e-dovecot) args=(EndToEndBenchmark -p server=dovecot); short && args+=(-wi 1 -w 4 -i 3 -r 4 -f 1) ;;
  discard-dovecot) args=('EndToEndBenchmark.(bare|mailfetchDiscard)$' -p server=dovecot -p security=plain)
               if short; then args+=(-wi 1 -w 4 -i 3 -r 4 -f 1); else args+=(-i 10 -f 2); fi ;;
  maildir-dovecot) args=('EndToEndBenchmark.(bare|bareMaildir|mailfetchMaildir)$' -p server=dovecot -p security=plain)
               if short; then args+=(-wi 1 -w 4 -i 3 -r 4 -f 1); else args+=(-i 10 -f 2); fi ;;
  deliver)     # POP3 into Dovecot's IMAP and LMTP (needs root, dovecot-imapd, dovecot-lmtpd); imapsync's row where it is installed
               if command -v imapsync >/dev/null; then args=(DeliveryBenchmark)
               else note="imapsync is not installed here: its row is skipped"; echo "$note" >&2; args=('DeliveryBenchmark.(bare|mailfetch)(Imap|Lmtp)$'); fi
               if short; then args+=(-wi 0 -i 1 -f 1); else args+=(-wi 1 -i 3 -f 1); fi ;;
  deliver-rounds) # the deliver rows alternated in one JVM and one Dovecot (fsync off unless -Dsaving=DURABLE),
               # plus the whole mailfetch process into IMAP where fetch-cli/target/mailfetch.jar is built
               args=(${DELIVER_OPTS:-})
               if short; then args+=(-Drounds=1); else args+=(-Drounds=2); fi
               args+=(-cp "$jar" dev.mailfetch.bench.DeliveryRounds) ;;
  imap-source) # 10,000 messages from Dovecot IMAP into a Maildir, alternated rows in one JVM (needs root,
               # dovecot-imapd; mbsync/offlineimap/getmail rows where isync/offlineimap3/getmail6 are installed;
               # cliImap where fetch-cli/target/mailfetch.jar is built)
               # The external rows run as children of this shell (the fifos below), not of the JVM: under a JVM
               # parent getmail's delivery children are never reaped (docs/benchmarks.md).
               shell_dir=$(mktemp -d /tmp/imap-source-shell.XXXXXX)
               mkfifo "$shell_dir/request" "$shell_dir/reply"
               args=(-Dshell="$shell_dir" ${IMAP_OPTS:-})
               if short; then args+=(-Drounds=1); else args+=(-Drounds=2); fi
               args+=(-cp "$jar" dev.mailfetch.bench.ImapSourceRounds) ;;
  whole-process) # issue 22: the mailfetch command (jar and ./mailfetch launcher) as a whole process next to a bare
               # Java client process and, where installed, mpop, fetchmail and getmail6, each under /usr/bin/time -v
               # as a child of this shell (the fifos below): first fetch of 10,000 messages, nothing new, 1,000
               # through a 10 ms round trip (needs root, Dovecot, fetch-cli/target/mailfetch.jar; JAVA_OPTS reaches
               # the launcher row; WHOLE_OPTS adds driver properties: -Dmaildir=disk, -Dworkloads=syncs, -Ddedup=none).
               # Longer than 10 minutes when fetchmail and getmail are installed (13 min at load 10: a process per message)
               shell_dir=$(mktemp -d /tmp/whole-process-shell.XXXXXX)
               mkfifo "$shell_dir/request" "$shell_dir/reply"
               args=(-Dshell="$shell_dir" ${WHOLE_OPTS:-})
               # full: fetchmail and getmail (minutes each) in the first round only
               if short; then args+=(-Drounds=1); else args+=(-Drounds=3 -Donce=fetchmail,getmail); fi
               args+=(-cp "$jar" dev.mailfetch.bench.WholeProcessRounds) ;;
  imap-latency) # 1,000 small messages from Dovecot IMAP through a relay that adds a round trip (10 and 1 ms),
               # bare vs mailfetch vs Angus Mail, nothing written to disk (needs root, dovecot-imapd)
               args=(${IMAP_OPTS:-})
               if short; then args+=(-Drtt=10 -Drounds=1); else args+=(-Drtt=10,1 -Drounds=2); fi
               args+=(-cp "$jar" dev.mailfetch.bench.ImapLatencyRounds) ;;
  imap-poll)   # a nothing-new poll of a 100,000-message Dovecot IMAP folder, with and without the mailbox mark
               args=(${IMAP_OPTS:-} -Xmx2g -cp "$jar" dev.mailfetch.bench.ImapPollRounds) ;;
  shared-poll) # issue 21: 10,000 POP3 accounts shared by three `mailfetch poll` processes through a private
               # PostgreSQL for 5 minutes (short: 2,000 accounts, 2 minutes); needs fetch-cli/target/mailfetch.jar
               # and PostgreSQL (Debian's postgresql; as root, the postgres user)
               args=(${SHARED_OPTS:-} -Xmx2g)
               if short; then args+=(-Daccounts=2000 -Dseconds=120 -Dwarmup=20); else args+=(-Daccounts=10000 -Dseconds=300 -Dwarmup=30); fi
               args+=(-cp "$jar" dev.mailfetch.bench.SharedPollLoad) ;;
  latency)     if short; then args=(LatencyBenchmark -p rtt=10 -wi 1 -i 2 -f 1); else args=(LatencyBenchmark -p rtt=10,50); fi ;;
  memory)      args=(-cp "$jar" dev.mailfetch.bench.MemoryProbes big) ;;
  scale)       args=(-Xmx3g -cp "$jar" dev.mailfetch.bench.MemoryProbes scale) ;;
  *) echo "unknown group: $group" >&2; exit 2 ;;
esac
case "$group" in memory|scale|deliver-rounds|imap-source|imap-latency|imap-poll|shared-poll|whole-process) cmd=("$java" "${args[@]}") ;; *) cmd=("$java" -jar "$jar" "${args[@]}") ;; esac

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
jdk=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
cores=$(nproc)
model=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
slug=$(echo "$model" | tr 'A-Z' 'a-z' | sed 's/(r)\|(tm)\|processor\|[0-9]*-core//g' | tr -cs 'a-z0-9' '-' | sed 's/^-//;s/-$//' | cut -c1-24)
out="benchmarks/results/${version}-jdk${jdk}-${cores}cpu-${slug}-${group}${RESULT_TAG:+-$RESULT_TAG}.txt"
{
  echo "# mailfetch $version — $group ($profile)"
  echo "# date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# cpu: $model ($cores cores)"
  echo "# jdk: $("$java" -version 2>&1 | head -1)"
  echo "# load before: $(uptime)"
  echo "# command: ${cmd[*]}"
  [ "$group" != whole-process ] || echo "# JAVA_OPTS: ${JAVA_OPTS:-}"
  [ -z "${note:-}" ] || echo "# note: $note"
  echo
} > "$out"
if [ -n "${shell_dir:-}" ]; then
  # ExternalFetchers writes cmd.sh and a line "LOG TIME" on request; the exit status goes back on reply.
  (while read -r log time < "$shell_dir/request"; do
    /usr/bin/time -v -o "$time" sh "$shell_dir/cmd.sh" > "$log" 2>&1 && echo 0 > "$shell_dir/reply" || echo $? > "$shell_dir/reply"
  done) &
  server=$!
  trap 'kill "$server" 2>/dev/null; rm -rf "$shell_dir"' EXIT
fi
"${cmd[@]}" 2>&1 | tee -a "$out"
echo "# load after: $(uptime)" >> "$out"
echo "wrote $out"
