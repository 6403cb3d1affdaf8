#!/usr/bin/env python3
"""cmp.py GODIR JAVADIR: list the cases whose results differ, one "NAME why" a line.

Both directories hold the same NAME.vm files, rendered by the Go CLI and by the
oracle. Outputs must be equal byte for byte, except that identity hashes
(java.lang.Object@1b6d3586, which differ on every JVM run) are ignored; errors
must have the same exception class and, where the oracle gives one, the same
line and column. Counts per family go to stderr.
"""
import os, re, sys, collections

g, j = sys.argv[1], sys.argv[2]
POS = re.compile(r"\[line (\d+), column (\d+)\]")
IDENTITY = re.compile(rb"[][A-Za-z.;$]+@[0-9a-f]+")

def res(d, n):
    o = os.path.join(d, n + ".out")
    e = os.path.join(d, n + ".err")
    if os.path.exists(o):
        return ("out", open(o, "rb").read())
    if os.path.exists(e):
        return ("err", open(e, "rb").read().decode("utf-8", "replace"))
    return ("none", b"")

names = sorted(f[:-3] for f in os.listdir(j) if f.endswith(".vm"))
diffs = collections.Counter()
total = collections.Counter()
bad = []
for n in names:
    fam = n.rsplit("_", 1)[0]
    total[fam] += 1
    a, b = res(g, n), res(j, n)
    why = None
    if a[0] != b[0]:
        why = "go %s / java %s" % (a[0], b[0])
    elif a[0] == "out" and a[1] != b[1] and IDENTITY.sub(b"@", a[1]) != IDENTITY.sub(b"@", b[1]):
        why = "output"
    elif a[0] == "err":
        ka, kb = a[1].split(":", 1)[0], b[1].split(":", 1)[0]
        pa, pb = POS.findall(a[1]), POS.findall(b[1])
        pa = pa[0] if pa else None
        pb = pb[-1] if pb else None
        if ka != kb:
            why = "kind %s / %s" % (ka, kb)
        elif pb is not None and pa != pb:
            why = "pos %s / %s" % (pa, pb)
    if why:
        diffs[fam] += 1
        bad.append((n, why))
for n, w in bad:
    print(n, w)
print("total", dict(total), file=sys.stderr)
print("diffs", dict(diffs), file=sys.stderr)
