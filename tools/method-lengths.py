#!/usr/bin/env python3
# Usage: python3 tools/method-lengths.py src/Microsoft.ML.SharedAutoencoder [top]  (the longest methods; issue 12)
"""Lists C# methods/constructors/local functions by body length (lines from signature to closing brace).
Heuristic: a line that looks like a member signature followed by a '{' line (or ending in '{'), brace-matched."""
import re, sys, os
sig = re.compile(r'^\s*(?:(?:public|private|internal|protected|static|override|virtual|sealed|unsafe|readonly|async|new|extern|partial)\s+)*'
                 r'[\w<>\[\]?,.() ]+?\s+~?[A-Z]\w*(?:<[^>]*>)?\s*\((?!.*=>\s*$)')
skip = re.compile(r'^\s*(if|for|foreach|while|switch|using|lock|catch|return|else|var|new|throw|await|fixed)\b')
def scan(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    out = []
    i = 0
    while i < len(lines):
        l = lines[i]
        if sig.match(l) and not skip.match(l) and not l.strip().endswith(';') and '=>' not in l.split('(')[0]:
            # find the opening brace of the body
            j = i
            while j < len(lines) and '{' not in lines[j] and not lines[j].rstrip().endswith(';') and '=>' not in lines[j]:
                j += 1
            if j < len(lines) and '{' in lines[j] and '=>' not in lines[j]:
                depth = 0; k = j
                while k < len(lines):
                    depth += lines[k].count('{') - lines[k].count('}')
                    if depth <= 0 and k >= j: break
                    k += 1
                name = re.search(r'(~?[A-Z]\w*)\s*(?:<[^>]*>)?\s*\(', l)
                out.append((k - i + 1, f'{path}:{i+1}', name.group(1) if name else l.strip()[:40]))
        i += 1
    return out
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
res = []
for d, _, fs in os.walk(root):
    if '/obj' in d or '/bin' in d: continue
    for f in fs:
        if f.endswith('.cs'): res += scan(os.path.join(d, f))
res.sort(reverse=True)
for n, where, name in res[:top]:
    print(f'{n:5d}  {name:30s} {where}')
print(f'methods over 60 lines: {sum(1 for r in res if r[0] > 60)}')
