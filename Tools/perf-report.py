#!/usr/bin/env python3
"""Self and inclusive shares of a `perf record -g` profile of durable-streams-server, by function.

Debian's perf 6.1 cannot open the Swift 6.3 release binary ("Failed to open ..., continuing without symbols"), so
this reads `perf script` and names the server's frames with the toolchain's llvm-symbolizer and swift-demangle.
Record with `perf record -B -N -F 999 -g -p PID` (no build-id: the binary has none).

Usage: python3 Tools/perf-report.py perf.data path/to/durable-streams-server [rows]
With CALLERS=REGEX in the environment it also lists who calls the functions the regex matches (their first caller
frame that does not match), e.g. CALLERS='swift_retain|swift_release' to see where reference counting comes from."""
import collections
import os
import re
import shutil
import subprocess
import sys

# The Swift toolchain's binaries (beside swiftc).
TOOLS = os.path.dirname(os.path.realpath(shutil.which('swiftc') or '/usr/bin/swiftc')) + '/'
data, binary = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 45
out = subprocess.run(['perf', 'script', '-i', data], capture_output=True, text=True).stdout
samples = []
cur = None
for line in out.splitlines():
    if not line.strip():
        if cur: samples.append(cur)
        cur = None
        continue
    if line.startswith('\t') or line.startswith(' '):
        parts = line.strip().split(None, 1)
        if cur is None or len(parts) < 2: continue
        addr = int(parts[0], 16)
        rest = parts[1]
        m = re.match(r'(.*) \((.*)\)$', rest)
        sym, dso = (m.group(1), m.group(2)) if m else (rest, '?')
        sym = re.sub(r'\+0x[0-9a-f]+$', '', sym)
        cur.append((addr, sym, dso))
    else:
        if cur: samples.append(cur)
        cur = []
if cur: samples.append(cur)
ours = set()
for s in samples:
    for addr, sym, dso in s:
        if 'durable-streams-server' in dso: ours.add(addr)
ours = sorted(ours)
names = {}
if ours:
    inp = '\n'.join(hex(a) for a in ours)
    res = subprocess.run([TOOLS + 'llvm-symbolizer', '--obj=' + binary, '--no-inlines', '--functions=linkage', '--no-demangle'], input=inp, capture_output=True, text=True).stdout
    blocks = [b for b in res.strip().split('\n\n')]
    mangled = [b.split('\n')[0] for b in blocks]
    dem = subprocess.run([TOOLS + 'swift-demangle', '--simplified'], input='\n'.join(mangled), capture_output=True, text=True).stdout.split('\n')
    for a, d in zip(ours, dem): names[a] = d[:150]
def name(addr, sym, dso):
    if 'durable-streams-server' in dso: return names.get(addr, '?')
    short = dso.split('/')[-1]
    return (sym if sym != '[unknown]' else hex(addr)) + ' [' + short + ']'
selfc = collections.Counter(); incl = collections.Counter()
n = len(samples)
for s in samples:
    if not s: continue
    selfc[name(*s[0])] += 1
    seen = set()
    for f in s:
        k = name(*f)
        if k not in seen: seen.add(k); incl[k] += 1
print(f'{n} samples')
print('== self')
for k, v in selfc.most_common(limit): print(f'{100*v/n:6.2f}%  {k}')
print('== inclusive')
for k, v in incl.most_common(limit * 2): print(f'{100*v/n:6.2f}%  {k}')
callers = os.environ.get('CALLERS')
if callers:
    pattern = re.compile(callers)
    by = collections.Counter(); hits = 0
    for s in samples:
        if not s or not pattern.search(name(*s[0])): continue
        hits += 1
        caller = next((name(*f) for f in s[1:] if not pattern.search(name(*f))), '?')
        by[caller] += 1
    print(f'== callers of /{callers}/ ({100*hits/n:.2f}% of samples)')
    for k, v in by.most_common(limit): print(f'{100*v/n:6.2f}%  {k}')
