#!/usr/bin/env python3
"""Charts and the docs section for one strata-bench run.

Reads the JSON that strata-bench wrote (--json) and the markdown report
(--markdown), draws PNG charts with matplotlib, and replaces the section of
docs/BENCHMARKS.md between the markers

    <!-- bench:NAME:begin -->  ...  <!-- bench:NAME:end -->

with the report, the charts and the run's note. bench/run calls it; run it by
hand to redraw from a saved JSON:

    python3 bench/plot.py --json docs/bench/results.json \
        --markdown docs/bench/results.md --charts docs/bench --prefix "" \
        --docs docs/BENCHMARKS.md --section default
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"strata": "#1f77b4", "rocksdb": "#d62728", "leveldb": "#2ca02c"}


def color(engine):
    return COLORS.get(engine, "#7f7f7f")


def rows_by(summary, predicate):
    return [r for r in summary["rows"] if predicate(r)]


def bar_panel(ax, row, engines, title=None, log=False):
    """One metric: a bar per engine at its median, a line over the rounds' range."""
    values, lows, highs = [], [], []
    for e in engines:
        v = row["values"].get(e)
        rounds = [x for x in row.get("rounds", {}).get(e, []) if x is not None]
        values.append(v if v is not None else 0)
        lows.append((v - min(rounds)) if rounds and v is not None else 0)
        highs.append((max(rounds) - v) if rounds and v is not None else 0)
    xs = range(len(engines))
    ax.bar(xs, values, color=[color(e) for e in engines], yerr=[lows, highs], capsize=3,
           error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
    ax.set_xticks(list(xs))
    ax.set_xticklabels(engines, fontsize=8)
    arrow = "higher is better" if row["higher_is_better"] else "lower is better"
    ax.set_title(f"{title or row['label']}\n{row['unit']}, {arrow}", fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    if log:
        ax.set_yscale("log")
    top = max(values) if values else 0
    for x, v in zip(xs, values):
        if v:
            text = f"{v:,.0f}" if v >= 100 else f"{v:.3g}"
            ax.text(x, v, text, ha="center", va="bottom", fontsize=7)
    if top > 0 and not log:
        ax.set_ylim(0, top * 1.18)


def grid(rows, engines, path, suptitle, columns=4):
    if not rows:
        return False
    n = len(rows)
    cols = min(columns, n)
    lines = (n + cols - 1) // cols
    fig, axes = plt.subplots(lines, cols, figsize=(3.2 * cols, 2.9 * lines), squeeze=False)
    for i, row in enumerate(rows):
        bar_panel(axes[i // cols][i % cols], row, engines)
    for j in range(n, lines * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def latency_chart(summary, engines, path, suptitle):
    wanted = ["readrandom p50", "readrandom p99", "readrandom p99.9"]
    rows = {r["label"]: r for r in summary["rows"] if r["label"] in wanted}
    if len(rows) != len(wanted):
        return False
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / len(engines)
    for k, e in enumerate(engines):
        vals = [rows[w]["values"].get(e) or 0 for w in wanted]
        xs = [i + (k - (len(engines) - 1) / 2) * width for i in range(len(wanted))]
        ax.bar(xs, vals, width, label=e, color=color(e))
        for x, v in zip(xs, vals):
            if v:
                ax.text(x, v, f"{v:.3g}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(wanted)))
    ax.set_xticklabels(["p50", "p99", "p99.9"])
    ax.set_yscale("log")
    ax.set_ylabel("microseconds (log scale), lower is better")
    ax.set_title(suptitle, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def replace_section(docs_path, section, body):
    begin, end = f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->"
    text = open(docs_path, encoding="utf-8").read()
    if begin not in text or end not in text:
        sys.exit(f"plot.py: {docs_path} has no {begin} ... {end} markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(docs_path, "w", encoding="utf-8") as f:
        f.write(head + begin + "\n" + body.rstrip() + "\n" + end + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", required=True, help="strata-bench --json output")
    p.add_argument("--markdown", required=True, help="strata-bench --markdown output")
    p.add_argument("--charts", required=True, help="directory for the PNG files")
    p.add_argument("--prefix", default="", help="prefix of the PNG file names")
    p.add_argument("--docs", help="the markdown file whose section to replace")
    p.add_argument("--section", help="the section name in the markers")
    p.add_argument("--note", default="", help="a paragraph to put above the table")
    args = p.parse_args()

    doc = json.load(open(args.json, encoding="utf-8"))
    summary, engines = doc["summary"], doc["config"]["engines"]
    os.makedirs(args.charts, exist_ok=True)
    label = doc["meta"].get("label") or f"{doc['config']['num']:,} keys"
    if not doc["meta"].get("label") and doc["config"].get("mem_mb"):
        label += f" in a {doc['config']['mem_mb']} MiB memory cgroup"
    charts = []

    throughput = rows_by(summary, lambda r: r["unit"] == "ops/s")
    name = f"{args.prefix}throughput.png"
    if grid(throughput, engines, os.path.join(args.charts, name),
            f"Throughput, {label} ("
            + (f"median of {doc['config']['rounds']} rounds; bars span the rounds)"
               if doc["config"]["rounds"] > 1 else "1 round)")):
        charts.append(("Throughput per workload", name))

    name = f"{args.prefix}read-latency.png"
    if latency_chart(summary, engines, os.path.join(args.charts, name),
                     f"readrandom latency per operation, {label}"):
        charts.append(("readrandom latency percentiles", name))

    resources = rows_by(summary, lambda r: r["unit"] in ("x", "MiB", "s", "ms")
                        and r["metric"] != "wal_bytes")
    name = f"{args.prefix}resources.png"
    if grid(resources, engines, os.path.join(args.charts, name),
            f"Stalls, recovery, amplification and memory, {label}"):
        charts.append(("Stalls, recovery, amplification and memory", name))

    for _, chart in charts:
        print(os.path.join(args.charts, chart))

    if args.docs and args.section:
        rel = os.path.relpath(args.charts, os.path.dirname(os.path.abspath(args.docs)))
        body = []
        if args.note:
            body += [args.note, ""]
        body += [open(args.markdown, encoding="utf-8").read().rstrip(), ""]
        for title, chart in charts:
            body += [f"![{title}]({rel}/{chart})", ""]
        replace_section(args.docs, args.section, "\n".join(body))


if __name__ == "__main__":
    main()
