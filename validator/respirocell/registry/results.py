"""Posted results of an API v2 study -> outcome results and a serious-adverse-events outcome.

The numbers are copied into each result's summary as the registry gives them, group by group;
what they show (the result's direction) is the curator's call, so it stays a placeholder.
"""

from __future__ import annotations

from typing import Any

from .vocab import normalise

DIRECTION_TODO = "TODO-result-direction"


def _groups(groups: list[dict[str, Any]]) -> dict[str, str]:
    return {str(g.get("id")): " ".join(str(g.get("title") or g.get("id")).split()) for g in groups}


def outcome_result(measure: str, measures: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The result block for the posted outcome measure titled ``measure``, if the registry has one."""
    posted = next((m for m in measures if normalise(str(m.get("title") or "")) == normalise(measure)), None)
    if posted is None:
        return None
    titles = _groups(posted.get("groups") or [])
    unit = posted.get("unitOfMeasure") or ""
    values = []
    for klass in posted.get("classes") or []:
        for category in klass.get("categories") or []:
            for m in category.get("measurements") or []:
                label = " ".join(filter(None, (klass.get("title"), category.get("title"))))
                spread = m.get("spread") or (
                    f"{m['lowerLimit']} to {m['upperLimit']}" if m.get("lowerLimit") and m.get("upperLimit") else None)
                values.append(f"{titles.get(str(m.get('groupId')), m.get('groupId'))}"
                              f"{f' ({label})' if label else ''}: {m.get('value')}{f' ({spread})' if spread else ''}")
    p_values = [f"p {a['pValue']}" if str(a.get("pValue", "")).startswith(("<", ">", "=")) else f"p = {a['pValue']}"
                for a in posted.get("analyses") or [] if a.get("pValue")]
    kind = "; ".join(filter(None, (str(posted.get("paramType") or "").lower().replace("_", " "), unit)))
    summary = f"Posted on ClinicalTrials.gov ({kind}): " + "; ".join(values) + (
        f"; {', '.join(p_values)}" if p_values else "") + "."
    result: dict[str, Any] = {"direction": DIRECTION_TODO}
    if len(titles) > 1:
        result["comparison"] = " vs ".join(titles.values())
    result["summary"] = summary
    return result


def serious_adverse_events(module: dict[str, Any] | None) -> dict[str, Any] | None:
    """An outcome listing the posted serious adverse events with their (MedDRA) terms, per group."""
    if not module or not (module.get("eventGroups") or module.get("seriousEvents")):
        return None
    groups = module.get("eventGroups") or []
    titles = _groups(groups)
    totals = [f"{titles[str(g.get('id'))]} {g.get('seriousNumAffected')}/{g.get('seriousNumAtRisk')}"
              for g in groups if g.get("seriousNumAffected") is not None]
    events = []
    vocabularies = set()
    for event in module.get("seriousEvents") or []:
        vocabularies.add(event.get("sourceVocabulary") or module.get("seriousEventsVocabulary") or "")
        stats = ", ".join(f"{titles.get(str(s.get('groupId')), s.get('groupId'))} "
                          f"{s.get('numAffected')}/{s.get('numAtRisk')}" for s in event.get("stats") or [])
        events.append(f"{event.get('term')} ({event.get('organSystem')}): {stats}")
    vocab = ", ".join(sorted(v for v in vocabularies if v)) or "registry"
    summary = (f"Serious adverse events posted on ClinicalTrials.gov ({vocab} terms; participants affected/at "
               f"risk): " + (f"in all {', '.join(totals)}" if totals else "")
               + (". " + "; ".join(events) if events else "") + ".")
    result: dict[str, Any] = {"direction": DIRECTION_TODO}
    if len(titles) > 1:
        result["comparison"] = " vs ".join(titles.values())
    result["summary"] = summary
    outcome: dict[str, Any] = {"name": "Serious adverse events (registry results)", "category": "adverse_events",
                               "role": "safety"}
    if module.get("timeFrame"):
        outcome["timepoint"] = " ".join(str(module["timeFrame"]).split())
    outcome["result"] = result
    return outcome
