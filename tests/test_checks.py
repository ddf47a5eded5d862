"""Each rule of ``respirocell.checks`` on its own, on tiny in-memory records.

The cases under tests/cases/ run every rule through the whole pipeline and the CLI; these call
one rule directly, so a failure names the rule, and the odd inputs a rule must survive (wrong
types, missing parts) are cheap to try. Positions are real: records are parsed from text with
their node tree kept, as the pipeline does. A rule added to ``checks`` without a test here fails
``test_every_rule_has_a_direct_test``.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from respirocell import checks, schema
from respirocell.checks import consistency, identifiers, layout, references, terms, text
from respirocell.corpus import Corpus
from respirocell.identifiers import pattern, registries, registry_for
from respirocell.issues import Issue, Severity
from respirocell.loading import RecordFile, parse_record

TESTED: set[Callable[..., Any]] = set()


def rule_test(rule: Callable[..., Any]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a test as a direct test of ``rule``."""
    TESTED.add(rule)
    return lambda test: test


def record(kind: str, body: str, stem: str | None = None) -> RecordFile:
    """``body`` parsed as records/<kind folder>/<stem>.yaml (stem: the record's id), positions kept."""
    raw = textwrap.dedent(body).lstrip("\n").encode("utf-8")
    data, nodes, source = parse_record(raw)
    folder = schema.kind(kind).folder
    path = Path("records", folder, f"{stem or data['id']}.yaml")  # never read: the corpus holds it
    return RecordFile(path=path, display=path.as_posix(), kind=kind, data=data, nodes=nodes, text=source)


def corpus(*records: RecordFile) -> Corpus:
    """A corpus of exactly these records (no files around them)."""
    found = Corpus(targets=list(records), _by_path={str(r.path): r for r in records})
    for r in records:
        found.files.setdefault(r.kind, {}).setdefault(r.stem, []).append(str(r.path))
    return found


def found(issues: Iterable[Issue], *codes: str) -> list[tuple[str, str, int | None, int | None]]:
    """(code, path, line, column) of the findings, only those with ``codes`` when given."""
    return [(i.code, i.path, i.line, i.column) for i in issues if not codes or i.code in codes]


STUDY = """\
id: s1
title: A study
registrations:
  - registry: clinicaltrials
    trial_id: NCT00000001
status: completed
conditions: [copd]
curation:
  sources:
    - source: NCT00000001
      fields: [title, registrations, status, conditions]
"""


def study(extra: str = "", stem: str | None = None) -> RecordFile:
    return record("Study", STUDY + textwrap.dedent(extra), stem)


# -- layout --------------------------------------------------------------------------------

@rule_test(layout.check_layout)
def test_id_must_be_the_file_name() -> None:
    assert found(layout.check_layout(study(stem="s1"))) == []
    reserved = record("Condition", "id: index\nname: An index\n")  # its page would be the list of conditions
    assert [(i.code, i.path, i.line, i.column) for i in layout.check_layout(reserved)] == [
        ("invalid-format", "id", 1, 5)]
    issue, = layout.check_layout(study(stem="other"))
    assert (issue.code, issue.path, issue.line, issue.column) == ("id-mismatch", "id", 1, 5)
    assert issue.suggestion == "rename the file to s1.yaml, or set id: other"
    # A file name that is no id is never offered as one ('set id: my copd' failed again).
    spaced, = layout.check_layout(study(stem="My COPD"))
    assert spaced.suggestion == "rename the file to s1.yaml, or set id: my-copd and rename the file to my-copd.yaml"
    accented, = layout.check_layout(study(stem="\u00e9\u00e9"))
    assert accented.suggestion == "rename the file to s1.yaml"
    cased, = layout.check_layout(study(stem="S1"))  # its slug is the id: one way to fix it, said once
    assert cased.suggestion == "rename the file to s1.yaml"
    reserved, = layout.check_layout(study(stem="index"))  # 'index' names the site's list pages
    assert reserved.suggestion == "rename the file to s1.yaml"


@rule_test(layout.folder_issue)
def test_a_record_outside_its_kind_folder() -> None:
    assert layout.folder_issue(study()) is None
    misplaced = record("CellSource", "id: copd\nterm: {id: MONDO:0005002}\nsynonyms: [COPD]\n")
    issue = layout.folder_issue(misplaced)
    assert issue is not None and (issue.code, issue.line, issue.column) == ("wrong-folder", 1, 1)
    assert issue.suggestion == "move it to records/conditions/copd.yaml"
    loose = RecordFile(path=Path("notes", "x.yaml"), display="notes/x.yaml", kind=None, data={"id": "x"})
    issue = layout.folder_issue(loose)
    assert issue is not None and issue.code == "unknown-kind"
    assert issue.suggestion == "move the file to records/studies/, records/cell_sources/ or records/conditions/"


@rule_test(layout.check_duplicate_ids)
def test_an_id_is_used_once_across_kinds() -> None:
    condition = record("Condition", "id: s1\nname: Not a study\n")
    other = record("Condition", "id: copd\nname: COPD\n")
    issues = list(layout.check_duplicate_ids(corpus(study(), condition, other)))
    assert found(issues) == [("duplicate-id", "id", 1, 5)] * 2
    assert issues[0].message == "the id 's1' is also used by records/conditions/s1.yaml"


# -- identifiers ---------------------------------------------------------------------------

@rule_test(identifiers.check_identifiers)
def test_identifiers_countries_and_dates() -> None:
    rec = study("""\
        countries: [US, UK, XX, us]
        start_date: 2020-02-30
        completion_date: 2019
        outcomes:
          - source: doi:10.1/x
          - source: not an identifier
        """)
    rec.data["registrations"].append({"registry": "clinicaltrials", "trial_id": "ISRCTN12345678"})
    rec.data["curation"]["curators"] = [{"name": "A", "orcid": "0000-0002-1825-0098"}]
    rec.data["curation"]["created"] = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    issues = {(i.code, i.path): i for i in identifiers.check_identifiers(rec)}
    assert sorted(issues) == [
        ("invalid-date", "curation.created"), ("invalid-date", "start_date"),
        ("invalid-identifier", "outcomes[0].source"), ("invalid-identifier", "outcomes[1].source"),
        ("invalid-identifier", "registrations[1].trial_id"), ("invalid-orcid", "curation.curators[0].orcid"),
        ("unknown-country", "countries[1]"), ("unknown-country", "countries[2]")]
    wrong_registry = issues["invalid-identifier", "registrations[1].trial_id"]
    assert wrong_registry.message == "'ISRCTN12345678' is not a valid clinicaltrials id (ClinicalTrials.gov)"
    assert wrong_registry.suggestion == "the id has the form isrctn uses: set registry: isrctn"
    assert issues["unknown-country", "countries[1]"].suggestion == "use 'GB' (the ISO code)"
    assert (issues["unknown-country", "countries[1]"].line, issues["unknown-country", "countries[1]"].column) == \
        (12, 17)
    assert issues["invalid-date", "curation.created"].severity is Severity.ERROR
    assert all(i.suggestion for i in issues.values())
    assert issues["invalid-identifier", "outcomes[0].source"].suggestion == \
        "a DOI is 10., a registrant number, a slash and a suffix, as in doi:10.1000/182"
    # A month 13 is the schema's invalid-format; this rule said so a second time at the same place.
    assert [i.code for i in identifiers.check_identifiers(study("start_date: 2020-13-01\n"))] == []


@pytest.mark.parametrize("registry", registries())
def test_each_registry_example_fits_its_pattern(registry: str) -> None:
    """The hint for a malformed id shows the schema's example, so the example must be a valid id."""
    _name, example = identifiers.registry_description(registry)
    assert pattern(registry) is not None and pattern(registry).match(example), (registry, example)  # type: ignore[union-attr]
    assert registry_for(example) == [registry]


@rule_test(identifiers.check_identifiers)
def test_dates_in_order_and_partial_dates_are_spans() -> None:
    same_month = study("start_date: 2020-05-31\ncompletion_date: 2020-05\n")
    assert found(identifiers.check_identifiers(same_month)) == []  # May 2020 may end after the 31st
    backwards = study("start_date: 2020-06\ncompletion_date: 2020-05-31\n")
    assert found(identifiers.check_identifiers(backwards)) == [("date-order", "completion_date", 13, 18)]
    edited = record("Condition", "id: c\ncuration:\n  created: 2024-05-02\n  modified: 2024-05-01\n")
    issue, = identifiers.check_identifiers(edited)
    assert (issue.code, issue.path, issue.line, issue.column) == ("date-order", "curation.modified", 4, 13)
    assert issue.suggestion == "modified is the day of the last change, on or after created"


@rule_test(identifiers.check_orcid_names)
def test_one_orcid_is_one_name() -> None:
    def curated(rid: str, name: str) -> RecordFile:
        return record("Condition", f"""\
            id: {rid}
            curation:
              curators:
                - name: {name}
                  orcid: 0000-0002-1825-0097
            """)

    issues = list(identifiers.check_orcid_names(corpus(curated("a", "Ann"), curated("b", "Anne"),
                                                       curated("c", "Ann"))))
    assert found(issues) == [("orcid-conflict", "curation.curators[0].name", 4, 13)] * 3
    assert issues[1].message == ("ORCID 0000-0002-1825-0097 is 'Anne' here but 'Ann' in records/conditions/a.yaml, "
                                 "'Ann' in records/conditions/c.yaml")
    assert list(identifiers.check_orcid_names(corpus(curated("a", "Ann"), curated("c", "Ann")))) == []


# -- terms ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("term", "expected", "suggestion"), [
    ("{id: MONDO:0005002, label: chronic obstructive pulmonary disease}", None, None),
    ("{id: CL:0000037, label: copd}", ("wrong-ontology", "term.id"), "choose a MONDO term from "
     "validator/respirocell/data/terms.json"),
    ("{id: MONDO:0008345, label: obsolete idiopathic pulmonary fibrosis}", ("obsolete-term", "term.id"),
     "use MONDO:0800504 ('idiopathic pulmonary fibrosis')"),
    ("{id: MONDO:9999999}", ("unknown-term", "term.id"),
     "check the id in the ontology, then add it with: python tools/add_term.py MONDO:9999999"),
    ("{id: MONDO:12, label: x}", ("invalid-identifier", "term.id"), None),
    ("{id: MONDO:0005002, label: COPD disease}", ("label-mismatch", "term.label"),
     "write label: chronic obstructive pulmonary disease"),
])
@rule_test(terms.check_terms)
def test_ontology_terms(term: str, expected: tuple[str, str] | None, suggestion: str | None) -> None:
    issues = list(terms.check_terms(record("Condition", f"id: copd\nterm: {term}\n")))
    assert [(i.code, i.path) for i in issues] == ([expected] if expected else [])
    if suggestion:
        assert issues[0].suggestion == suggestion
    if expected:
        assert issues[0].line == 2


def test_every_term_slot_names_its_ontology_in_the_schema() -> None:
    named = {(k.name, s.name): s.ontology for k in schema.kinds() for s in schema.slots(k.name).values()
             if s.range == "OntologyTerm"}
    assert named == {("CellSource", "cell_type"): "CL", ("CellSource", "tissue"): "UBERON",
                     ("CellSource", "vesicle_type"): "GO", ("Condition", "term"): "MONDO"}


@rule_test(terms.check_terms)
def test_a_tissue_must_be_an_uberon_term() -> None:
    source = record("CellSource", "id: x\ntissue: {id: CL:0000037, label: hematopoietic stem cell}\n")
    issue, = terms.check_terms(source)
    assert (issue.code, issue.path, issue.line, issue.column) == ("wrong-ontology", "tissue.id", 2, 14)
    assert issue.message == "'tissue' takes a UBERON term, not CL:0000037"


@rule_test(terms.check_terms)
def test_a_label_that_is_a_synonym_says_so() -> None:
    source = record("CellSource", "id: hsc\ncell_type: {id: CL:0000037, label: HSC}\n")
    issue, = terms.check_terms(source)
    assert issue.message == "'HSC' is a synonym; the label is 'hematopoietic stem cell'"


# -- consistency ---------------------------------------------------------------------------

@rule_test(consistency.check_consistency)
def test_recommended_fields_are_warnings_that_not_reported_silences() -> None:
    rec = record("CellSource", "id: x\nname: X\n")
    assert found(consistency.check_consistency(rec), "recommended-field") == \
        [("recommended-field", "", 1, 1)] * 2  # cell_type, culture_expanded
    quiet = record("CellSource", "id: x\nname: X\nnot_reported: [cell_type, culture_expanded]\n")
    assert list(consistency.check_consistency(quiet)) == []
    both = record("CellSource", "id: x\nname: X\ncell_type: {id: CL:1}\nnot_reported: [cell_type]\n")
    assert found(consistency.check_consistency(both), "not-reported-conflict") == \
        [("not-reported-conflict", "not_reported[0]", 4, 16)]


@rule_test(consistency.check_consistency)
def test_every_fact_is_sourced_and_every_source_cited() -> None:
    rec = study("""\
        acronym: S
        outcomes:
          - role: primary
            source: pmid:123
        """)
    rec.data["curation"]["sources"][0]["fields"].append("colour")
    codes = ("unsourced-field", "unknown-field", "uncited-source")
    assert found(consistency.check_consistency(rec), *codes) == [
        ("unknown-field", "curation.sources[0].fields[4]", 11, 15),  # added here: its list's position
        ("unsourced-field", "acronym", 12, 1), ("unsourced-field", "outcomes", 13, 1),
        ("uncited-source", "outcomes[0].source", 15, 13)]
    bare = record("Study", "id: s2\ntitle: T\npublications: [{citation: A paper}]\n")
    assert found(consistency.check_consistency(bare), "missing-identifier") == [
        ("missing-identifier", "publications[0]", 3, 16), ("missing-identifier", "", 1, 1)]
    unquoted = record("Study", "id: s3\ntitle: T\npublications: [{pmid: 31010768}]\n")  # wrong-type, not missing
    assert found(consistency.check_consistency(unquoted), "missing-identifier") == []
    typo = study()
    typo.data["curation"]["sources"][0]["fields"].append("titel")
    (misspelt,) = [i for i in consistency.check_consistency(typo) if i.code == "unknown-field"]
    assert misspelt.suggestion == "did you mean 'title'?"


def test_an_outcome_id_used_twice_is_a_duplicate() -> None:
    """The RDF names an outcome by its id and the TSV keys outcomes by it: two would merge."""
    rec = study("""\
        outcomes:
          - {id: fev1, name: FEV1, role: primary}
          - {id: fev1, name: FEV1 at 12 months, role: secondary}
        """)
    assert found(consistency.check_consistency(rec), "duplicate-id") == [("duplicate-id", "outcomes[1].id", 14, 10)]


@rule_test(consistency.check_consistency)
def test_evidence_status_arms_and_results_agree() -> None:
    rec = study("""\
        evidence_basis: registry_only
        enrollment: {count: 10, type: actual}
        arms:
          - {id: a, role: experimental, participants: 8, dose: {value: 5, value_max: 1}, dose_count: 1,
             dose_interval: P1W}
          - {id: a, role: placebo_comparator, participants: 8}
        outcomes:
          - role: secondary
            result: {estimate: 3, ci_lower: 0, ci_upper: 1}
          - role: safety
            result: {ci_lower: 2, ci_upper: 1}
          - role: safety
            result: {ci_lower: 2}
        """)
    codes = ("evidence-mismatch", "missing-primary-outcome", "duplicate-id", "invalid-range", "dose-mismatch",
             "enrollment-exceeded", "recommended-field")
    assert found(consistency.check_consistency(rec), *codes) == [
        ("recommended-field", "", 1, 1), ("recommended-field", "", 1, 1), ("recommended-field", "", 1, 1),
        ("recommended-field", "", 1, 1),  # phase, design, countries, start_date
        ("evidence-mismatch", "evidence_basis", 12, 17),
        ("recommended-field", "arms[0]", 15, 5),  # an experimental arm without cell_source
        ("invalid-range", "arms[0].dose.value_max", 15, 78),
        ("dose-mismatch", "arms[0].dose_interval", 16, 21),
        ("duplicate-id", "arms[1].id", 17, 10),
        ("enrollment-exceeded", "enrollment.count", 13, 21),
        ("invalid-range", "outcomes[0].result.estimate", 20, 24),
        ("invalid-range", "outcomes[1].result.ci_lower", 22, 24),
        ("invalid-range", "outcomes[2].result", 24, 13)]
    assert all(i.suggestion for i in consistency.check_consistency(rec))  # each says how to fix it
    results = study("evidence_basis: registry_results\noutcomes: [{role: safety}]\n")
    assert found(consistency.check_consistency(results), "missing-primary-outcome") == \
        [("missing-primary-outcome", "outcomes", 13, 11)]
    withdrawn = study("enrollment: {count: 3, type: actual}\n", stem="s1")
    withdrawn.data["status"] = "withdrawn"
    assert found(consistency.check_consistency(withdrawn), "status-mismatch", "recommended-field")[-2:] == [
        ("recommended-field", "status", 6, 9), ("status-mismatch", "enrollment.count", 12, 21)]


@rule_test(consistency.check_sponsors)
def test_a_sponsor_split_at_its_comma() -> None:
    issue, = consistency.check_sponsors(study("sponsors: [Mesoblast, Ltd, Pluristem Inc]\n"))
    assert (issue.code, issue.path, issue.line, issue.column) == ("split-sponsor", "sponsors[1]", 12, 23)
    assert issue.suggestion == 'write the whole name in quotes: sponsors: ["Mesoblast, Ltd"]'
    assert list(consistency.check_sponsors(study('sponsors: ["Mesoblast, Ltd"]\n'))) == []


@rule_test(consistency.check_dose_units)
def test_a_dose_unit_fits_the_product_form() -> None:
    vesicles = record("CellSource", "id: ev\nproduct_form: extracellular_vesicles\n")
    rec = study("""\
        arms:
          - {id: a, cell_source: ev, dose: {value: 1, unit: cells_per_kg}}
          - {id: b, cell_source: ev, dose: {value: 1, unit: particles}}
          - {id: c, cell_source: missing, dose: {value: 1, unit: cells_per_kg}}
        """)
    issue, = consistency.check_dose_units(rec, corpus(rec, vesicles))
    assert (issue.code, issue.path, issue.line, issue.column) == ("dose-unit-mismatch", "arms[0].dose.unit", 13, 53)
    assert issue.suggestion == "use one of: microgram_protein, milliliter, particles, particles_per_kg"


# -- references ----------------------------------------------------------------------------

@rule_test(references.check_references)
def test_references_resolve_to_the_right_kind() -> None:
    copd = record("Condition", "id: copd\nname: COPD\n")
    msc = record("CellSource", "id: msc-bm\nname: MSC\n")
    rec = study("""\
        follow_up_of: s1
        arms:
          - {id: a, cell_source: msc-bn, additional_cell_sources: [copd]}
        """)
    rec.data["conditions"].append("msc-bm")
    issues = list(references.check_references(rec, corpus(rec, copd, msc)))
    assert [(i.path, i.line, i.column, i.message, i.suggestion) for i in issues] == [
        ("conditions[1]", 7, 13, "'msc-bm' is a cell source, not a condition",
         "name a condition here: its id is its file name in records/conditions/"),
        ("arms[0].cell_source", 14, 26, "no cell source has the id 'msc-bn'", "did you mean 'msc-bm'?"),
        ("arms[0].additional_cell_sources[0]", 14, 60, "'copd' is a condition, not a cell source",
         "name a cell source here: its id is its file name in records/cell_sources/"),
        ("follow_up_of", 12, 15, "a study cannot be a follow-up of itself",
         "follow_up_of names the earlier study's id; remove it from the first report")]
    assert {i.code for i in issues} == {"dangling-reference"}
    assert all(i.suggestion for i in issues)
    lone = record("Study", "id: s9\nconditions: [asthma]\n")
    issue, = references.check_references(lone, corpus(lone))
    assert issue.suggestion == "add records/conditions/asthma.yaml (respirocell new condition asthma)"
    prose = record("Study", "id: s7\nconditions: [Acute lung injury]\n")  # cannot be an id: no file to suggest
    issue, = references.check_references(prose, corpus(prose))
    assert issue.suggestion == ("write the id of a condition: its file name in records/conditions/ (lower-case "
                                "letters, digits and hyphens)")
    draft = record("Study", "id: s8\nconditions: [TODO-condition]\n")  # an imported draft's placeholder
    issue, = references.check_references(draft, corpus(draft))
    assert issue.suggestion == ("replace the placeholder with the id of a condition (its file name in "
                                "records/conditions/), or add that record first")


@rule_test(references.check_shared_identifiers)
def test_one_trial_is_one_record_unless_a_follow_up() -> None:
    first = study()
    twice = record("Study", "id: s2\nregistrations:\n  - {registry: clinicaltrials, trial_id: NCT00000001}\n"
                   "  - {registry: clinicaltrials, trial_id: NCT00000001}\n")
    issues = list(references.check_shared_identifiers(corpus(first, twice)))
    assert found(issues) == [("duplicate-entry", "registrations[1].trial_id", 4, 42),
                             ("duplicate-study", "registrations[0].trial_id", 5, 15),
                             ("duplicate-study", "registrations[0].trial_id", 3, 42)]
    assert issues[1].message == "NCT00000001 is also cited by records/studies/s2.yaml"
    follow_up = record("Study", "id: s2\nfollow_up_of: s1\npublications: []\nregistrations:\n"
                       "  - {registry: clinicaltrials, trial_id: NCT00000001}\n")
    assert list(references.check_shared_identifiers(corpus(first, follow_up))) == []


@rule_test(references.check_shared_identifiers)
def test_a_study_on_disk_outside_the_checked_files_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "records" / "studies"
    folder.mkdir(parents=True)
    (folder / "s2.yaml").write_text("id: s2\nregistrations:\n  - {registry: clinicaltrials, trial_id: NCT00000001}\n",
                                    encoding="utf-8")
    checked = study()
    found_corpus = Corpus.build([tmp_path / "records"], [checked])
    issues = list(references.check_shared_identifiers(found_corpus))
    assert found(issues) == [("duplicate-study", "registrations[0].trial_id", 5, 15)]
    assert issues[0].message.endswith("s2.yaml")


# -- text ------------------------------------------------------------------------------------

@rule_test(text.check_comment_in_text)
def test_a_hash_after_a_space_ends_the_text() -> None:
    issue, = text.check_comment_in_text(study('acronym: Trial #2 of 3\nnotes: "Trial #2 kept"\n'))
    assert (issue.code, issue.severity, issue.line, issue.column) == ("comment-in-text", Severity.WARNING, 12, 16)
    assert "('#2 of 3')" in issue.message
    assert list(text.check_comment_in_text(study('acronym: "Trial #2"\n'))) == []


@rule_test(text.check_control_characters)
def test_a_control_character_in_text_is_an_error() -> None:
    issue, = text.check_control_characters(study('acronym: "A\\e[31mRED"\nnotes: "fine \\\\ backslash"\n'))
    assert (issue.code, issue.severity, issue.path, issue.line, issue.column) == (
        "control-character", Severity.ERROR, "acronym", 12, 10)
    assert issue.message == "the text holds the control character U+001B"
    bidi, = text.check_control_characters(study("acronym: abc\u202edef\n"))  # standing as it is, no escape
    assert bidi.message == "the text holds the control character U+202E"
    for mark in ("\u200e", "\u200f", "\u061c"):  # the bidi marks are Bidi_Control too
        assert [i.code for i in text.check_control_characters(study(f'acronym: "A{mark}B"\n'))] == ["control-character"]
    for hidden in ("\u200b", "\u2060", "\ufeff", "\U000e0041"):  # invisible: equal-looking text that differs
        assert [i.code for i in text.check_control_characters(study(f"acronym: A{hidden}B\n"))] == ["control-character"]
    persian = "sponsors: [Royan Institute, \u067e\u0698\u0648\u0647\u0634\u200c\u06af\u0627\u0647]\n"
    assert list(text.check_control_characters(study(persian))) == []  # ZWNJ belongs to Persian words
    assert list(text.check_control_characters(study('acronym: "tab\\tand\\nline feed"\n'))) == []


@rule_test(text.check_list_separator)
def test_a_bar_in_an_item_of_a_list_the_tables_join_is_an_error() -> None:
    """The TSV tables join a list's items with '|': 'A | B' would read as two sponsors."""
    issues = text.check_list_separator(study("""\
        acronym: A|B
        sponsors: [One, "Ministry of Health | Welfare"]
        arms:
          - id: a
            label: x|y
            additional_cell_sources: [c|d]
        notes: a | in notes is text
        """))
    assert found(issues) == [("list-separator", "sponsors[1]", 13, 17),
                             ("list-separator", "arms[0].additional_cell_sources[0]", 17, 31)]
    curator = record("Condition", "id: c1\nname: C\ncuration:\n  curators:\n    - name: A | B\n")
    assert found(text.check_list_separator(curator)) == [("list-separator", "curation.curators[0].name", 5, 13)]
    escaped = study('sponsors: ["A \\x7c B", "C \\u007c D"]\n')  # no '|' in the file, two in the values
    assert found(text.check_list_separator(escaped)) == [("list-separator", "sponsors[0]", 12, 12),
                                                         ("list-separator", "sponsors[1]", 12, 24)]


def test_every_rule_has_a_direct_test() -> None:
    rules = {layout.folder_issue, *checks.RECORD_RULES, *checks.LINK_RULES, *checks.CORPUS_RULES}
    assert sorted(r.__qualname__ for r in rules - TESTED) == []
