"""The site in a real browser: Debian's chromium driven by Playwright, pages opened from file://.

Expected studies are worked out here from the records, so the tests follow the corpus as
curators add to it. Every request to a host other than file:// or localhost is blocked and
recorded, and so is every console error; both must stay empty. axe-core (vendored from npm in
tests/site_browser/) must find no serious or critical accessibility violation. Screenshots go
to build/screenshots/. Without /usr/bin/chromium or Playwright the tests skip, except under CI
(the CI variable is set), where they fail.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import REPO

from respirocell.site import views

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
AXE = Path(__file__).parent / "site_browser" / "axe-4.14.1.min.js"
SCREENSHOTS = REPO / "build" / "screenshots"


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def records(real_records: list[Any]) -> list[Any]:
    return real_records


@pytest.fixture(scope="module")
def site(real_site: Path) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return real_site


class Watch:
    """A page whose requests to other hosts are blocked and recorded, with its console errors."""

    def __init__(self, context: Any) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        local = parts.scheme in ("http", "https") and parts.hostname in ("localhost", "127.0.0.1")
        if parts.scheme == "file" or local:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def watch(browser: Any) -> Iterator[Watch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watch(context)
    yield watched
    context.close()
    assert watched.outside == []  # requests to other hosts
    assert watched.errors == []  # console errors


def url(site: Path, page: str, fragment: str = "") -> str:
    return (site / page).as_uri() + (f"#{fragment}" if fragment else "")


def visible_ids(page: Any) -> list[str]:
    return sorted(page.eval_on_selector_all("#study-table tbody tr:not([hidden])",
                                            "rows => rows.map(r => r.dataset.id)"))


def axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"], preload: false});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in result if v["impact"] in ("serious", "critical")]


def tokens(text: str) -> list[str]:
    """MiniSearch's default tokenizer: split on white space and punctuation, lower-cased."""
    out, word = [], []
    for ch in text:
        if ch in "\n\r" or unicodedata.category(ch)[0] in "ZP":
            if word:
                out.append("".join(word).lower())
            word = []
        else:
            word.append(ch)
    if word:
        out.append("".join(word).lower())
    return out


def searchable(study: Any, records: list[Any]) -> list[str]:
    """The words the list's search index holds for a study (pages.search_entry), from the record."""
    names = {r.record_id: r.data for r in records if r.kind in ("Condition", "CellSource")}
    data = study.data
    sources = {s for arm in data.get("arms") or [] for s in [arm.get("cell_source"),
                                                            *(arm.get("additional_cell_sources") or [])] if s}
    words = [data["title"], data.get("acronym") or "", *(r["trial_id"] for r in data.get("registrations") or []),
             *(p.get(k) or "" for p in data.get("publications") or [] for k in ("doi", "pmid")),
             *(data.get("sponsors") or []), *(names[c]["name"] for c in data["conditions"]),
             *(names[s]["name"] for s in sources), *(names[s].get("product_name") or "" for s in sources)]
    return tokens(" ".join(words))


def test_home_page_and_evidence_map(site: Path, watch: Watch) -> None:
    page = watch.page
    page.goto(url(site, "index.html"))
    assert page.locator("h1").inner_text().startswith("Stem-cell therapy")
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)
    page.locator("#evidence-map").locator("xpath=..").screenshot(path=str(SCREENSHOTS / "evidence-map.png"))
    areas = page.locator("map area")
    assert areas.count() == page.locator("#evidence-table a").count() > 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert axe_violations(page) == []
    first = areas.first.get_attribute("href")
    x, y, _r = (int(n) for n in str(areas.first.get_attribute("coords")).split(","))
    page.locator("img[usemap]").click(position={"x": x, "y": y})  # a circle of the map opens the filtered list
    page.wait_for_url("**/studies/index.html#*")
    assert page.url.endswith(str(first).removeprefix("studies/index.html"))


def test_search_and_two_facets_then_open_a_study(site: Path, records: list[Any], watch: Watch) -> None:
    studies = [r for r in records if r.kind == "Study"]
    # The condition with the most studies, and the commonest phase among them: both facets matter.
    condition = max({c for s in studies for c in s.data["conditions"]},
                    key=lambda c: (sum(c in s.data["conditions"] for s in studies), c))
    of_condition = [s for s in studies if condition in s.data["conditions"]]
    phases = [s.data.get("phase") for s in of_condition if s.data.get("phase")]
    phase = max(set(phases), key=lambda p: (phases.count(p), p))
    expected = sorted(str(s.record_id) for s in of_condition if s.data.get("phase") == phase)

    page = watch.page
    page.goto(url(site, "studies/index.html"))
    listed = int(page.locator("#study-table").get_attribute("data-page") or 0)
    assert len(visible_ids(page)) == min(len(studies), listed)  # the first page of the list
    page.locator("summary", has_text="Condition").click()
    page.locator(f"input[name=condition][value='{condition}']").check()
    page.locator("summary", has_text="Phase").first.click()
    page.locator(f"input[name=phase][value='{phase}']").check()
    assert visible_ids(page) == expected
    assert page.locator("#status").inner_text() == f"Showing {len(expected)} of {len(studies)} studies."
    assert f"condition={condition}" in page.url and f"phase={phase}" in page.url

    # A word from the first expected study's title narrows the list to the studies holding it.
    chosen = next(s for s in studies if str(s.record_id) == expected[0])
    word = max((w for w in tokens(chosen.data["title"]) if w.isalpha()), key=lambda w: (len(w), w))
    page.wait_for_selector("#finder[data-indexed=true]")  # MiniSearch indexes in chunks after the page shows
    page.locator("#q").fill(word)
    narrowed = sorted(i for i in expected
                      if any(t.startswith(word) for t in searchable(next(s for s in studies if s.record_id == i),
                                                                    records)))
    assert visible_ids(page) == narrowed and expected[0] in narrowed
    shared = page.url
    assert "q=" + word in shared

    page.goto(url(site, "index.html"))  # the shared address gives the same view
    page.goto(shared)
    assert visible_ids(page) == narrowed
    assert page.locator("#q").input_value() == word
    page.locator("#reset").click()
    page.locator(f"input[name=condition][value='{condition}']").check()
    page.screenshot(path=str(SCREENSHOTS / "study-list-by-condition.png"))
    assert axe_violations(page) == []

    page.locator(f"#study-table tr[data-id='{chosen.record_id}'] a").click()
    page.wait_for_url(f"**/studies/{chosen.record_id}.html")
    assert " ".join(page.locator("h1").inner_text().split()) == " ".join(chosen.data["title"].split())
    page.screenshot(path=str(SCREENSHOTS / "study.png"), full_page=True)
    assert axe_violations(page) == []


def test_source_links_point_at_the_records_sources(site: Path, records: list[Any], watch: Watch) -> None:
    study = next(r for r in records if r.kind == "Study" and any(p.get("doi") for p in r.data.get("publications")
                                                                 or []))
    doi = next(p["doi"] for p in study.data["publications"] if p.get("doi"))
    page = watch.page
    page.goto(url(site, f"studies/{study.record_id}.html"))
    link = page.locator(f"a[href='https://doi.org/{doi}']").first
    assert link.count() == 1
    assert link.get_attribute("href") == f"https://doi.org/{doi}"  # read, not followed: no request leaves


def test_sort_by_participants(site: Path, records: list[Any], watch: Watch) -> None:
    studies = [r for r in records if r.kind == "Study"]
    page = watch.page
    page.goto(url(site, "studies/index.html"))
    page.locator("th[data-sort=participants] button").click()
    page.locator("th[data-sort=participants] button").click()
    assert page.locator("th[data-sort=participants]").get_attribute("aria-sort") == "descending"
    first = page.locator("#study-table tbody tr").first.get_attribute("data-id")
    most = max((r.data.get("enrollment") or {}).get("count", -1) for r in studies)
    assert (next(r for r in studies if r.record_id == first).data.get("enrollment") or {}).get("count") == most
    assert "sort=participants-desc" in page.url


def test_a_stray_percent_in_a_shared_link_is_read_as_written(site: Path, watch: Watch) -> None:
    """decodeURIComponent threw a URIError on '#q=%' (the watch fails on the page error)."""
    page = watch.page
    page.goto(url(site, "studies/index.html", "q=50%"))
    page.wait_for_selector("#finder[data-indexed=true]")
    assert page.locator("#q").input_value() == "50%"


@pytest.mark.parametrize("kind", ["Condition", "CellSource", None])
def test_the_other_templates_are_accessible(site: Path, records: list[Any], watch: Watch, kind: str | None) -> None:
    """A page of each template the tests above do not open: a condition's, a cell source's, and
    a record index (conditions/ and cell_sources/ share it) with the downloads page."""
    if kind is None:
        pages = ["conditions/index.html", "downloads/index.html"]
    else:
        record = next(r for r in records if r.kind == kind)
        pages = [f"{views.PAGE_FOLDERS[kind]}/{record.record_id}.html"]
    for page in pages:
        watch.page.goto(url(site, page))
        assert axe_violations(watch.page) == [], page


def test_without_javascript_the_list_shows_every_study(site: Path, records: list[Any], browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url(site, "studies/index.html"))
    assert page.locator("#study-table tbody tr:visible").count() == sum(r.kind == "Study" for r in records)
    assert page.locator("#finder").is_hidden()
    context.close()


def test_readable_on_a_phone(site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(url(site, "index.html"))
    # Wide tables and charts scroll inside their own region; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    context.close()


def test_the_checks_can_fail(browser: Any) -> None:
    """The watch records a request to another host and a console error, and axe reports a
    nameless button (on a page of two elements: what is checked is the checks)."""
    context = browser.new_context()
    watched = Watch(context)
    watched.page.set_content("<!doctype html><html lang='en'><title>t</title><main><button></button></main></html>")
    watched.page.evaluate("""() => {
        const img = document.createElement("img"); img.src = "https://example.org/x.png"; img.alt = "x";
        document.body.appendChild(img);
        console.error("a console error");
    }""")
    watched.page.wait_for_timeout(200)
    assert any(u.startswith("https://example.org/") for u in watched.outside)
    assert "a console error" in watched.errors
    assert any(v.startswith("button-name") for v in axe_violations(watched.page))
    context.close()


def test_facet_values_keep_their_order(site: Path, watch: Watch) -> None:
    """The data file's keys are sorted: facets written as objects lost their order, so phases
    followed their codes and countries their ISO codes, not their names."""
    from respirocell import schema

    page = watch.page
    page.goto(url(site, "studies/index.html"))
    phases = page.locator("input[name=phase]").evaluate_all("els => els.map(e => e.value)")
    order = list(schema.enum_values("StudyPhase"))
    known = [p for p in phases if p in order]
    assert len(known) > 4 and known == sorted(known, key=order.index), phases
    shown = page.locator("input[name=country]").evaluate_all("els => els.map(e => e.parentElement.textContent)")
    names = [re.sub(r"\s*\(\d+\)\s*$", "", text).strip() for text in shown]
    assert "Indonesia" in names and names == sorted(names, key=str.lower), names


def test_facet_values_named_like_object_properties_count_right(browser: Any, tmp_path: Path) -> None:
    """'constructor' is a valid record id: plain {} maps in the list's script read the inherited
    Object function for it, and the facet showed '(function Object() { [native code] }1)'."""
    from conftest import build_corpus

    from respirocell.site import build_site

    records = build_corpus(tmp_path)
    copd = (records / "conditions" / "copd.yaml").read_text(encoding="utf-8")
    (records / "conditions" / "constructor.yaml").write_text(copd.replace("id: copd", "id: constructor"),
                                                            encoding="utf-8")
    (records / "conditions" / "copd.yaml").unlink()
    study = records / "studies" / "test-study-base.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("conditions: [copd]", "conditions: [constructor]"),
                     encoding="utf-8")
    build_site([records], tmp_path / "s")
    context = browser.new_context()
    page = context.new_page()
    page.goto(url(tmp_path / "s", "studies/index.html", "condition=constructor"))
    label = page.locator("input[name=condition][value=constructor]").locator("xpath=..").inner_text()
    context.close()
    assert label.strip().endswith("(1)"), label
