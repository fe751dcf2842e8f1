#!/usr/bin/env python3
"""The metric-names check of check-ops.sh: what the alert rules and dashboards read exists.

    check-metrics.py PROMETHEUS_DIR SERVICES_DIR DASHBOARD...

1. Every renkei_* name in the rules file and the dashboards is a metric the services or the
   gateway define: the first argument of .Name("..."), SetGauge("...") or SetCounter("...") in
   SERVICES_DIR's sources (not in *_test.cc files nor in tests/, test/ or testing/ directories);
   NAME_bucket, NAME_sum and NAME_count for a histogram NAME.
2. Every label name the rules' and dashboards' queries use, in by/without/on/ignoring/
   group_left/group_right clauses and in selectors {label="..."}, is one the services set or the
   scrape adds: the labels of .Labels(...), .Add(...), SetGauge(...) and prometheus::Labels
   initialisers in those sources ("service" everywhere), `le` when a histogram is defined, and
   the scrape's: job, instance and the static_configs labels of prometheus.yml. Queries of
   ALERTS may also use alertname, alertstate and the rules' own labels (severity).
   The label names are one set for all metrics: a label of one metric used on another passes.

Only the Python standard library: the YAML files are read line by line (expr: one line or a
block scalar; labels: a mapping), which is all they use.
"""
import json
import os
import re
import sys

NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def sources(services_dir):
    for root, dirs, files in os.walk(services_dir):
        dirs[:] = sorted(d for d in dirs if d not in ("tests", "test", "testing"))
        for f in sorted(files):
            if f.endswith((".cc", ".h")) and not f.endswith("_test.cc"):
                path = os.path.join(root, f)
                with open(path, encoding="utf-8") as fh:
                    yield path, fh.read()


def call_arguments(text, start):
    """The text from the bracket at `start` to its matching bracket (strings respected)."""
    pairs = {"(": ")", "{": "}"}
    depth, i, quote = 0, start, None
    stack = []
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in pairs:
            stack.append(pairs[c])
            depth += 1
        elif stack and c == stack[-1]:
            stack.pop()
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return text[start:]


def exported(services_dir):
    metrics, histograms, labels = set(), set(), {"service"}
    define = re.compile(r'(?:\.Name|\bSetGauge|\bSetCounter)\(\s*"(renkei_[a-z0-9_]+)"')
    label_call = re.compile(
        r"(?:\.Labels|\.Add|->Add|\bSetGauge|\bSetCounter)\s*(?=\()|prometheus::Labels\s+" + NAME + r"\s*(?=\{)")
    label_name = re.compile(r'\{\s*"(' + NAME + r')"\s*,')
    for _, text in sources(services_dir):
        metrics.update(define.findall(text))
        histograms.update(re.findall(r'BuildHistogram\(\)[^;]*?\.Name\(\s*"(renkei_[a-z0-9_]+)"', text))
        prometheus_file = '#include "prometheus/' in text
        for m in label_call.finditer(text):
            if not prometheus_file and not m.group(0).startswith(("SetGauge", "SetCounter")):
                continue
            args = call_arguments(text, m.end())
            if m.group(0).startswith(("SetGauge", "SetCounter")) and '"renkei_' not in args[:80]:
                continue
            labels.update(label_name.findall(args))
    if histograms:
        labels.add("le")
    return metrics, histograms, labels


def yaml_exprs(path):
    """The `expr:` values of a rules file: on the line, or a block scalar (| or >) below it."""
    exprs, lines = [], open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:- )?expr:\s*(.*)$", lines[i])
        i += 1
        if not m:
            continue
        indent, value = len(m.group(1)), m.group(2).strip()
        if value and value[0] not in "|>":
            exprs.append(value.strip("'\"") if value[0] in "'\"" else value)
            continue
        block = []
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            block.append(lines[i].strip())
            i += 1
        exprs.append("\n".join(block))
    return exprs


def yaml_mapping_keys(path, key):
    """The keys of every `key:` mapping (e.g. the static_configs' labels) in a YAML file."""
    keys, lines = set(), open(path, encoding="utf-8").read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)" + key + r":\s*(&\S+)?\s*$", line)
        if not m:
            continue
        indent = len(m.group(1))
        for below in lines[i + 1 :]:
            if not below.strip() or below.lstrip().startswith("#"):
                continue
            if len(below) - len(below.lstrip()) <= indent:
                break
            k = re.match(r"^\s*(" + NAME + r"):", below)
            if k:
                keys.add(k.group(1))
    return keys


def rule_labels(path):
    """The label names the rules add themselves (labels: severity: ...)."""
    return yaml_mapping_keys(path, "labels")


def dashboard_exprs(path):
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "expr" and isinstance(v, str):
                    found.append(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    with open(path, encoding="utf-8") as fh:
        walk(json.load(fh))
    return found


def used_labels(expr):
    """Label names in grouping/matching clauses and selectors of a PromQL expression."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    names = set()
    for clause in re.finditer(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)", bare):
        names.update(n.strip() for n in clause.group(1).split(",") if n.strip())
    for selector in re.finditer(r"\{([^{}]*)\}", bare):
        names.update(re.findall(r"(" + NAME + r")\s*(?:=~|!~|!=|=)", selector.group(1)))
    return names


def main():
    prometheus_dir, services_dir, dashboards = sys.argv[1], sys.argv[2], sys.argv[3:]
    rules_file = os.path.join(prometheus_dir, "renkei-alerts.yml")
    metrics, histograms, code_labels = exported(services_dir)
    scrape_labels = {"job", "instance"} | yaml_mapping_keys(os.path.join(prometheus_dir, "prometheus.yml"), "labels")
    known = code_labels | scrape_labels | {"__name__"}
    alert_labels = {"alertname", "alertstate"} | rule_labels(rules_file)
    problems = []

    # 1. Metric names, anywhere in the files (queries, annotations, comments).
    files = [rules_file] + dashboards
    read = set()
    for path in files:
        read.update(re.findall(r"renkei_[a-z0-9_]+", open(path, encoding="utf-8").read()))
    read -= scrape_labels
    for n in sorted(read):
        family = next((n[: -len(s)] for s in HISTOGRAM_SUFFIXES if n.endswith(s)), None)
        if n not in metrics and family not in histograms:
            problems.append(f"{n} is read by the alerts or dashboards but no service exports it")

    # 2. Label names in the queries.
    queries = [(rules_file, e) for e in yaml_exprs(rules_file)]
    for path in dashboards:
        queries += [(path, e) for e in dashboard_exprs(path)]
    labels_used = set()
    for path, expr in queries:
        allowed = known | (alert_labels if re.search(r"\bALERTS\b", expr) else set())
        used = used_labels(expr)
        labels_used |= used
        for label in sorted(used - allowed):
            one_line = " ".join(expr.split())
            problems.append(f"{os.path.basename(path)}: label '{label}' is neither set by a service nor "
                            f"by the scrape: {one_line[:160]}")

    if not queries:
        problems.append(f"no queries found in {rules_file} and the dashboards")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"OK: {len(read)} metric names and {len(labels_used)} label names in {len(queries)} queries, "
          f"each exported in {services_dir} (not its tests) or added by the scrape")
    return 0


if __name__ == "__main__":
    sys.exit(main())
