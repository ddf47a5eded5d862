"""The context of each page kind: what the home page counts, what the map and timeline plot,
what a study's forest-style chart draws, what the search data holds."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from ..loading import RecordFile
from . import charts
from .labels import label, year_of
from .views import NOT_GIVEN, Site, has_results, participants, phase_rank

#: Estimate types read on a log scale, with no effect at 1; differences have no effect at 0.
RATIOS = {"risk_ratio", "odds_ratio", "hazard_ratio"}
DIFFERENCES = {"mean_difference", "median_difference", "risk_difference"}


def list_href(root: str, **facets: str) -> str:
    """The study list filtered by ``facets`` (the list reads its state from the URL hash)."""
    return f"{root}studies/index.html#" + "&".join(f"{k}={v}" for k, v in facets.items())


def evidence_map(site: Site) -> dict[str, Any]:
    """Conditions by product types: the chart, its image map, and the same numbers as a table."""
    cells: dict[tuple[str, str], list[RecordFile]] = defaultdict(list)
    for study in site.studies:
        values = site.facets[str(study.record_id)]
        for cid in values.get("condition", []):
            for product in values.get("product", []):
                cells[(cid, product)].append(study)
    products = site.facet_labels["product"]
    conditions = site.facet_labels["condition"]
    rows = [c for c in conditions if any((c, p) in cells for p in products)]
    cols = [p for p in products if any((c, p) in cells for c in rows)]
    table: list[dict[str, Any]] = []
    map_cells = []
    for r, cid in enumerate(rows):
        line: list[dict[str, Any] | None] = []
        for c, product in enumerate(cols):
            studies = cells.get((cid, product))
            if not studies:
                line.append(None)
                continue
            summary = site.summary(studies)
            phase = charts.phase_group(summary["top_phase"])[0]
            results = summary["with_results"] > 0
            alt = (f"{conditions[cid]}, {products[product]}: {summary['studies']} "
                   f"{'study' if summary['studies'] == 1 else 'studies'}, {summary['participants']:,} participants, "
                   f"most advanced {phase.lower()}, {'with' if results else 'no'} results")
            href = list_href("", condition=cid, product=product)
            line.append({**summary, "href": href, "phase": phase, "results": results, "alt": alt})
            map_cells.append(charts.MapCell(r, c, summary["studies"], summary["participants"], summary["top_phase"],
                                            results, href, alt))
        table.append({"condition": cid, "name": conditions[cid], "cells": line})
    chart = charts.evidence_map([conditions[c] for c in rows], [products[p] for p in cols], map_cells)
    return {"chart": chart, "columns": [(p, products[p]) for p in cols], "rows": table}


def timeline(site: Site) -> dict[str, Any]:
    by_year: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for study in site.studies:
        year = year_of(study.data.get("start_date"))
        if year is not None:
            by_year[year][charts.phase_group(study.data.get("phase"))[0]] += 1
    if not by_year:
        return {"chart": None, "years": [], "groups": [], "undated": len(site.studies)}
    first, last = int(min(by_year)), int(max(by_year))
    years = [str(y) for y in range(first, last + 1)]
    groups = [name for name, _r, _c in charts.PHASE_GROUPS]
    dated = {y: by_year[y] for y in sorted(by_year)}  # before the look-ups below add empty years
    counts = {g: [dated.get(y, {}).get(g, 0) for y in years] for g in groups}
    rows: list[dict[str, Any]] = [{"year": y, "counts": [n.get(g, 0) for g in groups], "total": sum(n.values())}
                                  for y, n in dated.items()]
    undated = len(site.studies) - sum(int(r["total"]) for r in rows)
    return {"chart": charts.timeline(years, counts), "groups": groups, "rows": rows, "undated": undated}


def home(site: Site) -> dict[str, Any]:
    summary = site.summary(site.studies)
    coverage = sorted(((cid, name, len(site.studies_of_condition(cid)))
                       for cid, name in site.facet_labels["condition"].items()), key=lambda c: (-c[2], c[1]))
    return {"summary": summary, "coverage": coverage, "conditions": len(coverage),
            "products": len(site.cell_sources), "map": evidence_map(site), "timeline": timeline(site)}


class _Axis:
    """A row's scale: its values (log for ratios) padded by 8% on each side."""

    def __init__(self, values: list[float], log: bool) -> None:
        self.log = log
        points = [self._scale(v) for v in values]
        low, high = min(points), max(points)
        pad = (high - low) * 0.08 or 1.0
        self.low, self.high = low - pad, high + pad

    def _scale(self, value: float) -> float:
        return math.log(value) if self.log else value

    def at(self, value: float) -> float:
        """``value`` as a percentage of the track's width."""
        return round(100 * (self._scale(value) - self.low) / (self.high - self.low), 2)


def forest(study: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a study's forest-style chart: each outcome whose result has an estimate and
    both ends of an interval, placed on its own axis (estimates of different kinds share no
    scale). Positions are percentages of the row's track."""
    rows = []
    for outcome in study.get("outcomes") or []:
        result = outcome.get("result") or {}
        values = [result.get("estimate"), result.get("ci_lower"), result.get("ci_upper")]
        numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != 3:
            continue
        estimate, low, high = numbers
        kind = result.get("estimate_type")
        log = kind in RATIOS and min(estimate, low, high) > 0
        null = 1.0 if kind in RATIOS else 0.0 if kind in DIFFERENCES else None
        axis = _Axis([estimate, low, high, *([null] if null is not None else [])], log)
        rows.append({
            "outcome": outcome, "result": result, "estimate": axis.at(estimate), "low": axis.at(low),
            "width": round(axis.at(high) - axis.at(low), 2), "null": axis.at(null) if null is not None else None,
            "log": log, "kind": label(kind) if kind else "Estimate",
        })
    return rows


def search_entry(site: Site, study: RecordFile) -> dict[str, Any]:
    """One study in the list's data file: what MiniSearch indexes, the facets, the sort keys."""
    data = study.data
    products = [site.cell_sources[p].data for p in site.products(data)]
    words = [data.get("acronym") or "", *(r["trial_id"] for r in data.get("registrations") or []),
             *(p.get("doi") or "" for p in data.get("publications") or []),
             *(p.get("pmid") or "" for p in data.get("publications") or []),
             *(data.get("sponsors") or []),
             *(site.facet_labels["condition"].get(c, c) for c in data.get("conditions") or []),
             *(p["name"] for p in products), *(p.get("product_name") or "" for p in products)]
    return {
        "id": study.record_id, "title": data["title"], "text": " ".join(w for w in words if w),
        "facets": site.facets[str(study.record_id)],
        "sort": {"title": data["title"].lower(), "phase": phase_rank(data.get("phase")),
                 "status": data["status"], "start": data.get("start_date") or "",
                 "participants": participants(data) if participants(data) is not None else -1,
                 "results": int(has_results(data))},
    }


def list_rows(site: Site) -> list[dict[str, Any]]:
    """The no-JavaScript table of every study, newest start first."""
    rows = []
    for study in site.studies:
        data = study.data
        values = site.facets[str(study.record_id)]
        rows.append({
            "id": study.record_id, "title": data["title"], "acronym": data.get("acronym"),
            "conditions": [(c, site.facet_labels["condition"][c]) for c in values.get("condition", [])],
            "products": [site.facet_labels["product"][p] for p in values.get("product", [])],
            "phase": label(data.get("phase") or "not given"), "status": label(data["status"]),
            "start": data.get("start_date") or "", "participants": participants(data),
            "results": has_results(data),
        })
    return sorted(rows, key=lambda r: (r["start"] == "", _negated(r["start"]), r["id"]))


def _negated(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)


def record_counts(site: Site, studies: list[RecordFile]) -> dict[str, Any]:
    """What a condition or cell-source page says about its studies."""
    summary = site.summary(studies)
    statuses: dict[str, int] = defaultdict(int)
    for s in studies:
        statuses[label(s.data["status"])] += 1
    return {**summary, "statuses": sorted(statuses.items()), "not_given": NOT_GIVEN}
