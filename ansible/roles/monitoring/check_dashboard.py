#!/usr/bin/env python3
"""Checks the Grafana dashboard: well-formed panels on the 24-column grid without overlaps, unique ids, every
panel querying the Prometheus datasource variable, and every query valid PromQL (written out as recording rules
for `promtool check rules`). Prints the rules file's path for the caller to check."""
import json
import sys
import tempfile

path = sys.argv[1]
dash = json.load(open(path))
errors = []
for field in ("uid", "title", "panels", "schemaVersion"):
    if field not in dash:
        errors.append(f"dashboard: no '{field}'")
if not any(v.get("type") == "datasource" and v.get("name") == "datasource"
           for v in dash.get("templating", {}).get("list", [])):
    errors.append("dashboard: no 'datasource' variable of type datasource")
ids = set()
cells = {}
rules = []
for panel in dash.get("panels", []):
    pid, title = panel.get("id"), panel.get("title", "?")
    if pid in ids:
        errors.append(f"panel {title}: duplicate id {pid}")
    ids.add(pid)
    pos = panel.get("gridPos", {})
    x, y, w, h = (pos.get(k) for k in ("x", "y", "w", "h"))
    if None in (x, y, w, h) or x < 0 or w < 1 or h < 1 or x + w > 24:
        errors.append(f"panel {title}: gridPos {pos} is off the 24-column grid")
        continue
    for cx in range(x, x + w):
        for cy in range(y, y + h):
            if (cx, cy) in cells:
                errors.append(f"panel {title}: overlaps panel {cells[(cx, cy)]} at {cx},{cy}")
                break
            cells[(cx, cy)] = title
    if panel.get("datasource", {}).get("uid") != "${datasource}":
        errors.append(f"panel {title}: does not use the ${{datasource}} variable")
    targets = panel.get("targets", [])
    if not targets:
        errors.append(f"panel {title}: no query")
    for t in targets:
        expr = t.get("expr", "").replace("$__rate_interval", "5m")
        if not expr:
            errors.append(f"panel {title}: empty query {t.get('refId')}")
        rules.append({"record": f"dashboard:panel{pid}:{t.get('refId', 'X').lower()}", "expr": expr})
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
out = tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False)
out.write("groups:\n  - name: dashboard\n    rules:\n")
for r in rules:
    out.write(f"      - record: {r['record']}\n        expr: {json.dumps(r['expr'])}\n")
out.close()
print(out.name)
