#!/usr/bin/env python3
"""Cuts a JFR recording of ImapSourceRounds (-Dstamps=true) into its shots and says where each
shot's wall time went, per thread: the reading thread ("main") and the flush threads.

  benchmarks/jfr-shots.py RECORDING.jfr RUN-OUTPUT.txt

For each shot: its wall time; the main thread's time blocked in socket reads (waiting for the
server), parked (waiting for the flush threads' futures), in monitor waits and enters, in fsyncs
(jdk.FileForce) and file writes over 1 ms; its CPU (jdk.ThreadCPULoad, 1 s periods, summed over the
shot) and the rest (wall minus all of those: system calls JFR has no event for, such as creating and
linking files, plus time runnable but not running); the flush threads' fsync time and count; and
the execution samples of each group. Then the medians per row; then each shot's batches (the
file fsyncs of each sink sync: their span, the slow ones, the latency of one fsync). Needs `jfr` (the JDK's) on the PATH
or JAVA_HOME set.
"""
import json, os, re, statistics, subprocess, sys
from datetime import datetime

def iso(ts):
    # 2026-12-06T23:20:01.123456789Z (or with an offset): to epoch seconds
    m = re.match(r'(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$', ts)
    base = datetime.fromisoformat(m.group(1) + ('+00:00' if m.group(3) == 'Z' else m.group(3)))
    return base.timestamp() + float(m.group(2) or 0)

def dur(d):
    m = re.match(r'PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$', d or 'PT0S')
    if not m:
        return 0.0
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)

def events(jfr, rec, names):
    out = subprocess.run([jfr, 'print', '--json', '--stack-depth', '8', '--events', ','.join(names), rec],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)['recording']['events']

def group(thread):
    name = (thread or {}).get('javaName') or ''
    if name == 'main':
        return 'main'
    if name.startswith('mailfetch-maildir-flush'):
        return 'flush'
    return None

def main():
    rec, runlog = sys.argv[1], sys.argv[2]
    jfr = os.path.join(os.environ['JAVA_HOME'], 'bin', 'jfr') if os.environ.get('JAVA_HOME') else 'jfr'
    shots = []
    for line in open(runlog):
        m = re.match(r'shot (\S+) from (\d+) to (\d+)', line)
        if m:
            shots.append({'row': m.group(1), 'a': int(m.group(2)) / 1000, 'b': int(m.group(3)) / 1000})
    keys = ['sock', 'park', 'mwait', 'menter', 'force', 'write', 'cpu', 'fforce', 'fforces', 'smain', 'sflush', 'nmain']
    for s in shots:
        for k in keys:
            s[k] = 0.0
        s['parkers'] = {}
        s['native'] = {}
    def find(t):
        for s in shots:
            if s['a'] <= t <= s['b']:
                return s
        return None
    kinds = {'jdk.SocketRead': 'sock', 'jdk.ThreadPark': 'park', 'jdk.JavaMonitorWait': 'mwait',
             'jdk.JavaMonitorEnter': 'menter', 'jdk.FileForce': 'force', 'jdk.FileWrite': 'write'}
    for e in events(jfr, rec, list(kinds)):
        v = e['values']
        t = iso(v['startTime'])
        s = find(t)
        g = group(v.get('eventThread'))
        if s is None or g is None:
            continue
        d = dur(v.get('duration'))
        k = kinds[e['type']]
        if g == 'main':
            s[k] += d
            if k == 'park':
                frames = [f['method']['type']['name'] + '.' + f['method']['name']
                          for f in (v.get('stackTrace') or {}).get('frames', [])]
                caller = next((f for f in frames if 'dev.mailfetch' in f), frames[-1] if frames else '?')
                s['parkers'][caller] = s['parkers'].get(caller, 0) + d
        elif k == 'force':
            s['fforce'] += d
            s['fforces'] += 1
    for e in events(jfr, rec, ['jdk.ExecutionSample', 'jdk.NativeMethodSample']):
        v = e['values']
        s = find(iso(v['startTime']))
        g = group(v.get('sampledThread'))
        if s is None or g is None:
            continue
        if e['type'] == 'jdk.ExecutionSample':
            s['smain' if g == 'main' else 'sflush'] += 1
        elif g == 'main':
            s['nmain'] += 1
            frames = (v.get('stackTrace') or {}).get('frames', [])
            top = next((f['method']['type']['name'] + '.' + f['method']['name'] for f in frames
                        if not f['method']['type']['name'].startswith(('sun.nio.ch.', 'sun.nio.fs.UnixNativeDispatcher', 'java.net.Socket'))),
                       '?')
            s['native'][top] = s['native'].get(top, 0) + 1
    for e in events(jfr, rec, ['jdk.ThreadCPULoad']):
        v = e['values']
        if group(v.get('eventThread')) != 'main':
            continue
        s = find(iso(v['startTime']) - 0.5)  # the load of the second before the event
        if s is not None:
            s['cpu'] += float(v['user']) + float(v['system'])  # a fraction of one CPU over 1 s
    print('| row | wall | main: socket read | parked | monitor wait+enter | fsync | write>1ms | CPU | rest | flush threads: fsyncs (n, s) | exec samples main / flush | native samples main |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for s in shots:
        wall = s['b'] - s['a']
        s['wall'] = wall
        s['rest'] = wall - s['sock'] - s['park'] - s['mwait'] - s['menter'] - s['force'] - s['write'] - s['cpu']
        print('| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d, %.1f | %d / %d | %d |' % (
            s['row'], wall, s['sock'], s['park'], s['mwait'] + s['menter'], s['force'], s['write'], s['cpu'],
            s['rest'], s['fforces'], s['fforce'], s['smain'], s['sflush'], s['nmain']))
    print()
    print('medians per row:')
    for row in sorted({s['row'] for s in shots}):
        rs = [s for s in shots if s['row'] == row]
        med = lambda k: statistics.median(s[k] for s in rs)
        print('| %s (%d shots) | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d, %.1f | %d / %d | %d |' % (
            row, len(rs), med('wall'), med('sock'), med('park'), statistics.median(s['mwait'] + s['menter'] for s in rs),
            med('force'), med('write'), med('cpu'), med('rest'), med('fforces'), med('fforce'), med('smain'), med('sflush'), med('nmain')))
        parkers, native = {}, {}
        for s in rs:
            for k, d in s['parkers'].items():
                parkers[k] = parkers.get(k, 0) + d / len(rs)
            for k, d in s['native'].items():
                native[k] = native.get(k, 0) + d / len(rs)
        print('   main parked in (s a shot):', ', '.join('%s %.2f' % kv for kv in sorted(parkers.items(), key=lambda kv: -kv[1])[:4]))
        print('   main native samples (a shot):', ', '.join('%s %.0f' % kv for kv in sorted(native.items(), key=lambda kv: -kv[1])[:6]))

def batches(jfr, rec, runlog):
    """Each shot's batches, cut at the main thread's fsync of new/ (the end of every sync): the span
    from the batch's first file fsync to its last, the batches whose span passed 20 ms, and the
    per-file fsync latency (median, 90th percentile, most)."""
    shots = []
    for line in open(runlog):
        m = re.match(r'shot (\S+) from (\d+) to (\d+)', line)
        if m:
            shots.append((m.group(1), int(m.group(2)) / 1000, int(m.group(3)) / 1000))
    ev = []
    for e in events(jfr, rec, ['jdk.FileForce']):
        v = e['values']
        t = iso(v['startTime'])
        ev.append((t, t + dur(v['duration']), v['eventThread']['javaName'], (v.get('path') or '').rstrip('/')))
    ev.sort()
    print()
    print('| row | wall | batches | file fsyncs: span of the batches | batches over 20 ms (their span) | per-file fsync median, p90, max |')
    print('|---|---|---|---|---|---|')
    for row, a, b in shots:
        cut, cur = [], []
        for x in ev:
            if a <= x[0] <= b:
                cur.append(x)
                if x[2] == 'main' and x[3].endswith('/new'):
                    cut.append(cur)
                    cur = []
        span = slow = slowspan = 0.0
        lat = []
        for bt in cut:
            files = [x for x in bt if not (x[2] == 'main' and x[3].endswith('/new'))]
            if not files:
                continue
            sp = max(x[1] for x in files) - min(x[0] for x in files)
            span += sp
            if sp > 0.02:
                slow += 1
                slowspan += sp
            lat += [x[1] - x[0] for x in files]
        lat.sort()
        if lat:
            print('| %s | %.2f s | %d | %.2f s | %d (%.2f s) | %.2f, %.2f, %.0f ms |' % (
                row, b - a, len(cut), span, slow, slowspan, statistics.median(lat) * 1000,
                lat[int(len(lat) * 0.9)] * 1000, lat[-1] * 1000))

main()
batches(os.path.join(os.environ['JAVA_HOME'], 'bin', 'jfr') if os.environ.get('JAVA_HOME') else 'jfr', sys.argv[1], sys.argv[2])
