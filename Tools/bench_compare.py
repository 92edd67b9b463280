#!/usr/bin/env python3
"""Summarises a Tools/bench-compare.sh run: append rates of two server builds as ratios of nginx measured in the
same run, and live fan-out latencies of both. Usage: python3 Tools/bench_compare.py RESULTS_DIR"""
import glob
import json
import os
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def cases(path, scenario):
    return {c["name"]: c for c in load(path)["results"].get(scenario, {}).get("cases", [])}


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def pct(value):
    return "–" if value is None else f"{value * 100:.0f}%"


def cpu_per_op(case, options):
    cpu = (case.get("cpu") or {}).get("server_seconds")
    total = case["throughput"] * (options["duration"] + options["warmup"])
    return cpu / total * 1e6 if cpu and total else None


def main(out):
    w = print
    start = open(os.path.join(out, "load-start.txt")).read().strip()
    end = open(os.path.join(out, "load-end.txt")).read().strip()
    w(f"Load at start: `{start}`; at end: `{end}`.")
    w("")
    runs = sorted(glob.glob(os.path.join(out, "nginx-append-*.json")))
    if runs:
        w("| run | case | nginx req/s | before appends/s | after appends/s | before / nginx | after / nginx | after / before | CPU µs per append before → after |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---|")
        summary = {}
        for index in range(1, len(runs) + 1):
            n = cases(os.path.join(out, f"nginx-append-{index}.json"), "append")
            b_path, a_path = os.path.join(out, f"before-append-{index}.json"), os.path.join(out, f"after-append-{index}.json")
            b, a = cases(b_path, "append"), cases(a_path, "append")
            for name in a:
                nr = n[name]["throughput"] if name in n else None
                br, ar = b[name]["throughput"], a[name]["throughput"]
                bc, ac = cpu_per_op(b[name], load(b_path)["options"]), cpu_per_op(a[name], load(a_path)["options"])
                s = summary.setdefault(name, {"b": [], "a": [], "ab": [], "bc": [], "ac": []})
                s["b"].append(br / nr if nr else None)
                s["a"].append(ar / nr if nr else None)
                s["ab"].append(ar / br if br else None)
                s["bc"].append(bc)
                s["ac"].append(ac)
                cpu = f"{bc:.1f} → {ac:.1f}" if bc and ac else "–"
                w(f"| {index} | {name} | {nr:,.0f} | {br:,.0f} | {ar:,.0f} | {pct(s['b'][-1])} | {pct(s['a'][-1])} | {s['ab'][-1]:.2f}× | {cpu} |")
        w("")
        for name, s in summary.items():
            w(f"- {name}: median before / nginx {pct(med(s['b']))}, after / nginx {pct(med(s['a']))}, after / before"
              f" {med(s['ab']):.2f}×; server CPU per append {med(s['bc']):.1f} → {med(s['ac']):.1f} µs (medians).")
        w("")
    live = sorted(glob.glob(os.path.join(out, "after-live-*.json")))
    if live:
        w("| run | scenario | case | side | deliveries/s | delivery p50 / p99 / max ms | all readers p50 / p99 / max ms | missed | server CPU s |")
        w("|---|---|---|---|---:|---|---|---:|---:|")
        for index in range(1, len(live) + 1):
            for side in ("before", "after"):
                path = os.path.join(out, f"{side}-live-{index}.json")
                if not os.path.exists(path):
                    continue
                for scenario, result in load(path)["results"].items():
                    for c in result["cases"]:
                        e, lat = c.get("extra", {}), c["latency"]
                        cpu = (c.get("cpu") or {}).get("server_seconds")
                        w(f"| {index} | {scenario} | {c['name']} | {side} | {c['throughput']:,.0f} |"
                          f" {lat['p50_ms']:.1f} / {lat['p99_ms']:.1f} / {lat['max_ms']:.1f} |"
                          f" {e.get('all_readers_p50_ms', 0):.1f} / {e.get('all_readers_p99_ms', 0):.1f} / {e.get('all_readers_max_ms', 0):.1f} |"
                          f" {e.get('missed_deliveries', 0):,.0f} | {cpu if cpu is None else f'{cpu:.2f}'} |")


if __name__ == "__main__":
    main(sys.argv[1])
