"""The static site, checked without a browser: valid HTML, links that resolve, JSON-LD that is
part of the export, no other host asked for anything, identical bytes from the same corpus,
and the command's refusals. The site is built once from the real corpus (records/)."""

from __future__ import annotations

import json
import os
import re
import shutil
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import html5lib
import pytest
import rdflib
from click.testing import CliRunner
from conftest import REPO, build_corpus

from respirocell.cli import cli
from respirocell.site import DOWNLOAD_FORMATS, build_site
from respirocell.site.build import MARKER
from respirocell.site.command import FORMATS
from respirocell.site.views import FORM_GROUPS, slug

RECORDS = REPO / "records"
#: Hosts a page may link to (plain links only): the records' sources and the project's home.
SOURCE_HOSTS = {"doi.org", "pubmed.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "purl.obolibrary.org",
                "orcid.org", "github.com", "creativecommons.org", "trialsearch.who.int"}
LINKING = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src"}


@pytest.fixture(scope="session")
def records(real_records: list) -> list:
    return real_records


@pytest.fixture(scope="session")
def site(real_site: Path) -> Path:
    return real_site


@pytest.fixture(scope="session")
def parsed(site: Path) -> dict[str, ElementTree.Element]:
    """Every page's tree, parsed strictly: an HTML parse error fails here."""
    trees = {}
    for page in sorted(site.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            trees[page.relative_to(site).as_posix()] = parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(site)}: {exc}")
    return trees


def registry_hosts(records: list) -> set[str]:
    from respirocell.site.views import registry_url

    return {urlsplit(registry_url(r["registry"], r["trial_id"])).hostname or ""
            for rec in records if rec.kind == "Study" for r in rec.data.get("registrations") or []}


def links(tree: ElementTree.Element) -> list[tuple[str, str]]:
    return [(el.tag, el.get(attr) or "") for el in tree.iter() if (attr := LINKING.get(str(el.tag))) and el.get(attr)]


def data_js(site: Path) -> dict:
    text = (site / "studies" / "data.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix("window.RESPIROCELL_STUDIES = ").rstrip().removesuffix(";"))


def test_every_record_has_a_page_and_its_json_ld(site: Path, records: list, parsed: dict) -> None:
    folders = {"Study": "studies", "CellSource": "cell_sources", "Condition": "conditions"}
    for record in records:
        page = f"{folders[record.kind]}/{record.record_id}.html"
        assert page in parsed
        assert (site / folders[record.kind] / f"{record.record_id}.jsonld").is_file()
    for page in ("index.html", "studies/index.html", "conditions/index.html", "cell_sources/index.html",
                 "downloads/index.html"):
        assert page in parsed


def test_internal_links_and_anchors_resolve(site: Path, parsed: dict) -> None:
    ids = {page: {el.get("id") for el in tree.iter() if el.get("id")} for page, tree in parsed.items()}
    facets = {f["key"]: {value for value, _ in f["values"]} for f in data_js(site)["facets"]}
    broken = []
    for page, tree in parsed.items():
        for tag, url in links(tree):
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue
            target = (site / page).parent / unquote(parts.path) if parts.path else site / page
            target = target.resolve()
            if not target.is_file() or site.resolve() not in target.parents:
                broken.append(f"{page}: <{tag}> {url}: no such file")
                continue
            relative = target.relative_to(site.resolve()).as_posix()
            if not parts.fragment:
                continue
            if relative == "studies/index.html" and "=" in parts.fragment:  # a filtered view of the list
                for pair in parts.fragment.split("&"):
                    key, _, values = pair.partition("=")
                    unknown = set(values.split(",")) - facets.get(key, set())
                    if unknown:
                        broken.append(f"{page}: {url}: no study has {key}={sorted(unknown)}")
            elif parts.fragment not in ids.get(relative, set()):
                broken.append(f"{page}: {url}: no element with id '{parts.fragment}'")
    assert broken == []


def test_no_url_points_to_another_host_but_the_records_sources(site: Path, records: list, parsed: dict) -> None:
    allowed = SOURCE_HOSTS | registry_hosts(records)
    outside = []
    for page, tree in parsed.items():
        for tag, url in links(tree):
            parts = urlsplit(url)
            if tag in ("script", "img", "link") and (parts.scheme not in ("", "data") or url.startswith("//")):
                outside.append(f"{page}: <{tag}> loads {url}")  # nothing is ever loaded from elsewhere
            elif parts.scheme in ("http", "https") and parts.hostname not in allowed:
                outside.append(f"{page}: {url}")
            elif parts.hostname == "github.com" and not parts.path.startswith("/respirocell/respirocell"):
                outside.append(f"{page}: {url}")
    assert outside == []
    css = (site / "static" / "site.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css
    for svg in (site / "charts").glob("*.svg"):
        assert not re.search(rb"(?:href|src)=\"(?:https?:)?//", svg.read_bytes())


def test_embedded_json_ld_is_the_exports(site: Path, parsed: dict) -> None:
    """Each page embeds, with the export's own context, the export's own node: its record's, or
    on the home page the dataset's. So its triples are the export's; and read on its own, context
    and all, by rdflib, a study page says what it is about."""
    export = json.loads((site / "downloads" / "respirocell.jsonld").read_text(encoding="utf-8"))
    exported = {node["@id"]: node for node in export["@graph"]}
    pages = []
    for page, tree in parsed.items():
        scripts = [el.text or "" for el in tree.iter("script") if el.get("type") == "application/ld+json"]
        if page.count("/") == 1 and not page.endswith("index.html"):
            assert len(scripts) == 1, page
        for script in scripts:
            doc = json.loads(script)
            assert doc.pop("@context") == export["@context"], page
            assert doc == exported.get(doc["@id"]), page
            pages.append(page)
    assert len(pages) == len(parsed) - 4  # all but the list and index pages
    assert "index.html" in pages  # the dataset
    study = next(p for p in pages if p.startswith("studies/"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
        one = rdflib.Graph().parse(data=next(el.text for el in parsed[study].iter("script") if el.text),
                                   format="json-ld")
    subject = rdflib.URIRef(f"https://w3id.org/respirocell/study/{Path(study).stem}")
    assert (subject, rdflib.RDF.type, rdflib.URIRef("http://schema.org/MedicalTrial")) in one


def test_record_json_ld_file_equals_the_embedded_one(site: Path, parsed: dict) -> None:
    for page in parsed:
        embedded = [el.text for el in parsed[page].iter("script") if el.get("type") == "application/ld+json"]
        if page.count("/") == 1 and not page.endswith("index.html"):
            record = json.loads((site / page).with_suffix(".jsonld").read_text(encoding="utf-8"))
            assert json.loads(embedded[0] or "") == record, page


def test_study_page_shows_its_facts_and_sources(site: Path, records: list) -> None:
    studies = [r for r in records if r.kind == "Study"]
    study = max(studies, key=lambda r: (len(r.data.get("outcomes") or []), r.record_id))
    html = (site / "studies" / f"{study.record_id}.html").read_text(encoding="utf-8")
    text = html5lib.parse(html, namespaceHTMLElements=False)
    words = " ".join(" ".join(el.itertext()) for el in text.iter("main"))
    assert " ".join(study.data["title"].split()) in " ".join(words.split())
    for outcome in study.data.get("outcomes") or []:
        assert f'id="outcome-{outcome["id"]}"' in html
    for reg in study.data.get("registrations") or []:
        assert f">{reg['trial_id']}</a>" in html
    for pub in study.data.get("publications") or []:
        if pub.get("doi"):
            assert f'href="https://doi.org/{pub["doi"]}"' in html
    assert f'href="https://github.com/respirocell/respirocell/blob/main/records/studies/{study.record_id}.yaml"' in html
    assert f'href="{study.record_id}.jsonld"' in html
    assert "Cite this record" in html and f"https://w3id.org/respirocell/study/{study.record_id}" in html


def _facts(tree: ElementTree.Element) -> dict[str, str]:
    """A study page's fact lists as {term: definition text}."""
    out = {}
    for facts in tree.iter("dl"):
        children = list(facts)
        for term, value in zip(children[::2], children[1::2], strict=False):
            out["".join(term.itertext()).strip()] = " ".join("".join(value.itertext()).split())
    return out


def test_study_pages_name_countries_and_say_why_a_fact_is_missing(records: list, parsed: dict) -> None:
    studies = [r for r in records if r.kind == "Study"]
    seen = set()
    for study in studies:
        facts = _facts(parsed[f"studies/{study.record_id}.html"])
        reported = set(study.data.get("not_reported") or [])
        for field, term in (("countries", "Countries"), ("start_date", "Start"), ("enrollment", "Participants"),
                            ("completion_date", "Completion"), ("sponsors", "Sponsors")):
            if field in study.data:
                continue
            expected = "not reported in the sources read" if field in reported else "not recorded"
            assert facts[term] == expected, (study.record_id, term)
            seen.add(expected)
        if "countries" in study.data:
            assert all(len(name) > 2 for name in facts["Countries"].split(", ")), (study.record_id, facts["Countries"])
    assert seen == {"not reported in the sources read", "not recorded"}  # recommended fields, and the others
    indonesian = next(s for s in studies if s.data.get("countries") == ["ID"])
    assert _facts(parsed[f"studies/{indonesian.record_id}.html"])["Countries"] == "Indonesia"


def test_forest_chart_for_estimates_with_intervals(site: Path, records: list) -> None:
    with_ci = [r for r in records if r.kind == "Study" and any(
        "ci_lower" in (o.get("result") or {}) and "ci_upper" in (o.get("result") or {}) and
        "estimate" in (o.get("result") or {}) for o in r.data.get("outcomes") or [])]
    without = [r for r in records if r.kind == "Study" and r not in with_ci]
    for record in with_ci:
        assert 'class="forest"' in (site / "studies" / f"{record.record_id}.html").read_text(encoding="utf-8")
    for record in without:
        assert 'class="forest"' not in (site / "studies" / f"{record.record_id}.html").read_text(encoding="utf-8")


def test_study_list_holds_every_study_without_javascript(site: Path, records: list, parsed: dict) -> None:
    ids = sorted(str(r.record_id) for r in records if r.kind == "Study")
    rows = [tr.get("data-id") for tr in parsed["studies/index.html"].iter("tr") if tr.get("data-id")]
    assert sorted(rows) == ids
    assert sorted(s["id"] for s in data_js(site)["studies"]) == ids


def test_evidence_map_cells_count_the_studies_they_link_to(site: Path, records: list, parsed: dict) -> None:
    """Each table cell says how many studies its link lists, worked out here from the records."""
    sources = {r.record_id: r.data for r in records if r.kind == "CellSource"}
    studies = [r.data for r in records if r.kind == "Study"]

    def product_types(study: dict) -> set[str]:
        ids = {s for arm in study.get("arms") or [] for s in [arm.get("cell_source"),
                                                               *(arm.get("additional_cell_sources") or [])] if s}
        return {slug(f"{sources[i]['tissue']['label']} {FORM_GROUPS[sources[i]['product_form']]}") for i in ids}

    table = next(el for el in parsed["index.html"].iter("table") if el.get("id") == "evidence-table")
    cells = [a for a in table.iter("a")]
    assert cells
    for a in cells:
        params = dict(p.split("=") for p in a.get("href", "").split("#")[1].split("&"))
        expected = sum(1 for s in studies if params["condition"] in s["conditions"]
                       and params["product"] in product_types(s))
        assert (a.text or "").split()[0] == str(expected), a.get("href")
    areas = [el.get("href") for el in parsed["index.html"].iter("area")]
    assert sorted(areas) == sorted(a.get("href") for a in cells)


def test_pages_stay_small(site: Path) -> None:
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    assert max(sizes.values()) < 200_000, max(sizes.items(), key=lambda kv: kv[1])


def test_same_corpus_gives_identical_bytes(tmp_path: Path) -> None:
    # The small export fixture corpus: every kind of page and every download, built twice.
    corpus = shutil.copytree(RECORDS.parent / "tests" / "data" / "export" / "corpus", tmp_path / "records")
    site, again = tmp_path / "first", tmp_path / "again"
    build_site([corpus], site, downloads=("jsonld", "turtle", "ntriples"))
    build_site([corpus], again, downloads=("jsonld", "turtle", "ntriples"))

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    first, second = files(site), files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_command_builds_and_rebuilds(tmp_path: Path) -> None:
    records = build_corpus(tmp_path)
    output = tmp_path / "out" / "site"
    runner = CliRunner()
    for _ in range(2):  # the second run replaces the first site
        result = runner.invoke(cli, ["site", "--output", str(output), str(records)])
        assert result.exit_code == 0, result.output
        assert "wrote" in result.output and (output / "index.html").is_file() and (output / MARKER).is_file()
    assert [p.name for p in output.parent.iterdir()] == ["site"]  # no temporary folder left behind


def test_a_killed_build_is_put_right_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between the two renames of its swap, a build leaves no site; the next build puts
    the old one back, replaces it and leaves nothing beside it. A half-built site a killed run
    left (it holds the marker) is removed too, and a folder in the way that is not ours is not."""
    from respirocell import fsio

    records = build_corpus(tmp_path)
    output = tmp_path / "out" / "site"

    def build() -> int:
        return CliRunner().invoke(cli, ["site", "--output", str(output), "--download", "jsonld",
                                        str(records)]).exit_code

    assert build() == 0
    real_rename = os.rename

    def killed_after(src: Any, dst: Any) -> None:
        real_rename(src, dst)
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(fsio.os, "rename", killed_after)
    with pytest.raises(KeyboardInterrupt):
        build_site([records], output, downloads=("jsonld",))
    monkeypatch.undo()
    assert not output.exists() and (output.parent / ".site.respirocell-old" / MARKER).is_file()
    assert build() == 0
    assert [p.name for p in output.parent.iterdir()] == ["site"]

    half = output.parent / ".site.respirocell-new"
    half.mkdir()
    (half / MARKER).write_text("a site being built\n", encoding="utf-8")
    assert build() == 0 and [p.name for p in output.parent.iterdir()] == ["site"]
    for name in (".site.respirocell-new", ".site.respirocell-old"):  # not ours: in the way, and kept
        (output.parent / name).mkdir()
        (output.parent / name / "mine.txt").write_text("not the builder's\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["site", "--output", str(output), str(records)])
        assert result.exit_code == 1 and f"{name} is in the way and respirocell did not make it" in result.output
        assert (output.parent / name / "mine.txt").is_file() and (output / "index.html").is_file()
        shutil.rmtree(output.parent / name)


def test_command_refuses_an_invalid_corpus(tmp_path: Path) -> None:
    records = build_corpus(tmp_path)
    study = next((records / "studies").glob("*.yaml"))
    study.write_text(study.read_text(encoding="utf-8").replace("status: ", "status: Finished\nx_status: ", 1),
                     encoding="utf-8")
    output = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "--output", str(output), str(records)])
    assert result.exit_code == 1
    assert re.search(r"\.yaml:\d+:\d+: error \[(invalid-enum|unknown-field)\]", result.output), result.output
    assert "No site built" in result.output
    assert not output.exists()


def test_command_never_replaces_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    records = build_corpus(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", "--output", str(precious), str(records)])
    assert result.exit_code == 2
    assert "not a" in result.output or "something other than" in result.output
    assert [p.name for p in precious.iterdir()] == ["thesis.tex"]
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    assert CliRunner().invoke(cli, ["site", "--output", str(afile), str(records)]).exit_code == 2
    # A link to a folder, even an empty one: the swap would replace the link, not fill its folder.
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = CliRunner().invoke(cli, ["site", "--output", str(tmp_path / "link"), str(records)])
    assert result.exit_code == 2 and "is a symbolic link; give the folder itself" in result.output
    assert (tmp_path / "link").is_symlink() and not any((tmp_path / "real").iterdir())
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_command_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["site", "--help"])
    assert result.exit_code == 0 and "respirocell site --output build/site" in result.output
    assert FORMATS == DOWNLOAD_FORMATS


def test_downloads_page_lists_every_format_with_its_size(site: Path) -> None:
    html = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    for name in ("respirocell.jsonld", "respirocell.ttl", "respirocell.nt", "tables/studies.tsv"):
        size = (site / "downloads" / name).stat().st_size
        assert f'href="{name}"' in html and f"{size:,} bytes" in html
    assert "creativecommons.org/publicdomain/zero/1.0/" in html


def test_static_files_are_copied_unchanged(site: Path) -> None:
    package = Path(__import__("respirocell.site").site.__file__).parent / "static"
    for item in package.rglob("*"):
        if item.is_file():
            assert (site / "static" / item.relative_to(package)).read_bytes() == item.read_bytes()


def test_a_corpus_without_studies_still_builds(tmp_path: Path) -> None:
    records = build_corpus(tmp_path)
    for study in (records / "studies").glob("*.yaml"):
        study.unlink()
    output = tmp_path / "site"
    summary = build_site([records], output, downloads=("jsonld",))
    assert summary.studies == 0
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "<strong>0</strong>" in home
    html5lib.HTMLParser(strict=True).parse((output / "studies" / "index.html").read_bytes())


def test_record_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    """A title holding markup stays text: escaped in the page, and '<' written \\u003c inside the
    embedded JSON-LD, so neither '</script>' nor '<!--' changes how the page parses."""
    corpus = shutil.copytree(REPO / "tests" / "data" / "export" / "corpus", tmp_path / "records")
    alpha = corpus / "studies" / "test-study-alpha.yaml"
    hostile = "A trial </script><script>alert(1)</script><!-- <b>bold</b>"
    text = alpha.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    alpha.write_text(text.replace(title, f"title: {json.dumps(hostile)}"), encoding="utf-8")
    site = tmp_path / "site"
    build_site([corpus], site, downloads=("jsonld",))
    html = (site / "studies" / "test-study-alpha.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    (script,) = [s for s in tree.iter("script") if s.get("type") == "application/ld+json"]
    assert json.loads(script.text or "")["title"] == hostile


def test_a_rebuild_refuses_files_the_build_did_not_write(tmp_path: Path) -> None:
    """A site folder holding a file no build wrote (a CNAME, notes) is refused whole, with
    nothing moved; a page an earlier build wrote (of a record since removed) is replaced."""
    records = build_corpus(tmp_path)
    output = tmp_path / "out" / "site"

    def build() -> Any:
        return CliRunner().invoke(cli, ["site", "--output", str(output), "--download", "jsonld", str(records)])

    assert build().exit_code == 0
    (output / "CNAME").write_text("my.domain\n", encoding="utf-8")
    (output / "notes").mkdir()
    (output / "notes" / "todo.txt").write_text("x\n", encoding="utf-8")
    before = {p: p.stat().st_ino for p in output.rglob("*")}
    for first in ("CNAME", "notes/"):
        result = build()
        assert result.exit_code == 2
        assert result.output.splitlines()[-1] == (
            f"Error: Invalid value for '--output': {output} holds {first}, which no site build wrote; "
            "move it or choose another --output (nothing was changed)")
        assert {p: p.stat().st_ino for p in output.rglob("*") if p.name != "CNAME"} == {
            p: i for p, i in before.items() if p.name != "CNAME"}
        (output / "CNAME").unlink(missing_ok=True)
    shutil.rmtree(output / "notes")
    (records / "studies" / "test-study-base.yaml").unlink()  # its page was written by the last build
    assert build().exit_code == 0 and not (output / "studies" / "test-study-base.html").exists()
    assert [p.name for p in output.parent.iterdir()] == ["site"]


def test_a_site_whose_marker_lists_no_files_is_replaced_only_by_what_the_build_writes(tmp_path: Path) -> None:
    """A site from before the marker listed its files: every file in it must be one this build
    writes; checked before the swap, so a refused build leaves the folder as it was."""
    records = build_corpus(tmp_path)
    output = tmp_path / "site"
    build_site([records], output, downloads=("jsonld",))
    (output / MARKER).write_text("A respirocell site, built by `respirocell site`; the builder may replace this "
                                 "folder.\n", encoding="utf-8")
    (output / "CNAME").write_text("my.domain\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", "--output", str(output), "--download", "jsonld", str(records)])
    assert result.exit_code == 2 and f"{output} holds CNAME, which no site build wrote" in result.output
    assert (output / "CNAME").read_text(encoding="utf-8") == "my.domain\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    (output / "CNAME").unlink()
    build_site([records], output, downloads=("jsonld",))
    assert "index.html\n" in (output / MARKER).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [r"COPD $\frac$", "COPD $x$"])
def test_chart_labels_are_drawn_as_written(tmp_path: Path, name: str) -> None:
    """A record's name is text, never matplotlib mathtext: '$\\frac$' does not stop the build
    and '$x$' is not drawn as an italic x."""
    records = build_corpus(tmp_path)
    condition = records / "conditions" / "copd.yaml"
    condition.write_text(condition.read_text(encoding="utf-8").replace(
        "name: Chronic obstructive pulmonary disease", f"name: '{name}'"), encoding="utf-8")
    build_site([records], tmp_path / "site", downloads=("jsonld",))
    svg = (tmp_path / "site" / "charts" / "evidence-map.svg").read_text(encoding="utf-8")
    labels = [el.text for el in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert name in labels


@pytest.mark.parametrize(("kind", "message"), [
    ("Study", "two pages would be written to studies/index.html: the study list and study 'index'"),
    ("Condition", "two pages would be written to conditions/index.html: condition 'index' and the condition list")])
def test_two_pages_for_one_path_stop_the_build(tmp_path: Path, kind: str, message: str) -> None:
    """A record whose id is a generated page's name never replaces that page, nor is replaced by it."""
    from respirocell.site.build import render_site
    from respirocell.validation import valid_records

    records = valid_records([build_corpus(tmp_path)])
    for record in records:
        if record.kind == kind:
            record.data["id"] = "index"
            break
    if kind == "Condition":
        study = next(r for r in records if r.kind == "Study")
        study.data["conditions"] = ["index"]
    with pytest.raises(ValueError) as raised:
        render_site(records, tmp_path / "site", downloads=("jsonld",))
    assert str(raised.value) == message
    assert [p.name for p in tmp_path.iterdir()] == ["records"]


def test_an_output_the_build_cannot_make_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = build_corpus(tmp_path)
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    for output, message in [  # every case of fsio.unusable_output is in tests/test_fsio.py
            ("../afile/x", "../afile is not a folder, so ../afile/x cannot be made in it"),
            ("../records", "../records holds the records; give a folder of its own")]:
        result = CliRunner().invoke(cli, ["site", "--output", output, "../records"])
        assert result.exit_code == 2, result.output
        assert result.output.splitlines()[-1] == f"Error: Invalid value for '--output': {message}"
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "here", "records"]
    assert list((tmp_path / "here").iterdir()) == []
    assert records.is_dir()


# -- the third hostile review ------------------------------------------------------------------


@pytest.mark.parametrize("part", ["records/studies", "records/studies/test-study-base.yaml"])
def test_a_part_of_the_records_is_not_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: str) -> None:
    """The studies folder alone made a site whose pages linked to condition pages it left out."""
    build_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["site", part, "--output", "s"])
    assert result.exit_code == 2
    assert f"Invalid value for 'PATHS': {part} is not a records folder: a site or release is built from the whole " \
           "folder holding studies/, cell_sources/, conditions/" in result.output
    assert not (tmp_path / "s").exists()


def test_a_site_inside_the_records_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["site", "--output", "records/site"])
    assert result.exit_code == 2
    assert "records/site is inside records, which holds the records (what is written there would be read as " \
           "records); write it elsewhere, such as build/" in result.output
    assert not (tmp_path / "records" / "site").exists()


def test_the_library_takes_one_path_and_refuses_unknown_downloads(tmp_path: Path) -> None:
    corpus = shutil.copytree(RECORDS.parent / "tests" / "data" / "export" / "corpus", tmp_path / "records")
    with pytest.raises(ValueError, match="unknown download format 'xml'; choose from jsonld, turtle"):
        build_site([corpus], tmp_path / "s", ["xml"])  # it wrote Turtle under respirocell.xml
    assert not (tmp_path / "s").exists()
    summary = build_site(str(corpus), str(tmp_path / "s"), ["jsonld", "jsonld"])  # the path was read letter by letter
    assert summary.output == tmp_path / "s"
    assert sorted(p.name for p in (tmp_path / "s" / "downloads").iterdir()) == ["index.html", "respirocell.jsonld"]
    page = (tmp_path / "s" / "downloads" / "index.html").read_text(encoding="utf-8")
    assert page.count('href="respirocell.jsonld"') == 1


def test_a_download_given_twice_is_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(RECORDS.parent / "tests" / "data" / "export" / "corpus", tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["site", "--output", "s", "--download", "tsv", "--download", "tsv"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "s" / "downloads").iterdir()) == ["index.html", "tables"]
