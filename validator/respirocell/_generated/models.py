"""DO NOT EDIT. Generated from schema/respirocell.yaml by `python tools/generate.py`.

Pydantic v2 models of the respirocell records."""
# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import re
import sys
from datetime import (
    date,
    datetime,
    time
)
from decimal import Decimal
from enum import Enum
from typing import (
    Any,
    ClassVar,
    Literal,
    Optional,
    Union
)

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer
)


metamodel_version = "1.12.0"
version = "0.1.0"


class ConfiguredBaseModel(BaseModel):
    model_config = ConfigDict(
        serialize_by_alias = True,
        validate_by_name = True,
        validate_assignment = True,
        validate_default = True,
        extra = "forbid",
        arbitrary_types_allowed = True,
        use_enum_values = True,
        strict = False,
    )





class LinkMLMeta(RootModel):
    root: dict[str, Any] = {}
    model_config = ConfigDict(frozen=True)

    def __getattr__(self, key:str):
        return getattr(self.root, key)

    def __getitem__(self, key:str):
        return self.root[key]

    def __setitem__(self, key:str, value):
        self.root[key] = value

    def __contains__(self, key:str) -> bool:
        return key in self.root


linkml_meta = None

class RecommendedField(str, Enum):
    """
    The recommended fields a record can mark as not reported by its sources.
    """
    phase = "phase"
    design = "design"
    countries = "countries"
    start_date = "start_date"
    enrollment = "enrollment"
    arms = "arms"
    outcomes = "outcomes"
    cell_type = "cell_type"
    culture_expanded = "culture_expanded"
    status_reason = "status_reason"
    cell_source = "cell_source"
    """
    The cell source of an experimental arm (the product's tissue or donor is not reported).
    """


class EvidenceBasis(str, Enum):
    """
    Where a study record's results come from.
    """
    published_results = "published_results"
    """
    Results were read in a peer-reviewed publication cited in the record.
    """
    registry_results = "registry_results"
    """
    Results were read on the trial registry; there is no results paper cited.
    """
    registry_only = "registry_only"
    """
    Only the registry entry was read: the record holds no results. A results paper may still exist that could not be read; it is then listed in publications (role primary_results) and the notes say so.
    """


class StudyType(str, Enum):
    """
    Whether the investigators assign the intervention.
    """
    interventional = "interventional"
    """
    Participants are assigned to an intervention by the investigators.
    """
    observational = "observational"
    """
    Participants are observed without assignment by the investigators.
    """


class StudyPhase(str, Enum):
    """
    Clinical trial phase, following ClinicalTrials.gov.
    """
    early_phase_1 = "early_phase_1"
    """
    Early phase 1 (formerly phase 0).
    """
    phase_1 = "phase_1"
    """
    Phase 1.
    """
    phase_1_2 = "phase_1_2"
    """
    Combined phase 1/2.
    """
    phase_2 = "phase_2"
    """
    Phase 2.
    """
    phase_2_3 = "phase_2_3"
    """
    Combined phase 2/3.
    """
    phase_3 = "phase_3"
    """
    Phase 3.
    """
    phase_4 = "phase_4"
    """
    Phase 4.
    """
    not_applicable = "not_applicable"
    """
    The source gives no phase, or phases do not apply.
    """


class StudyStatus(str, Enum):
    """
    Recruitment status, following ClinicalTrials.gov.
    """
    not_yet_recruiting = "not_yet_recruiting"
    """
    Not yet recruiting.
    """
    recruiting = "recruiting"
    """
    Recruiting.
    """
    enrolling_by_invitation = "enrolling_by_invitation"
    """
    Enrolling by invitation.
    """
    active_not_recruiting = "active_not_recruiting"
    """
    Active, not recruiting.
    """
    completed = "completed"
    """
    Completed.
    """
    terminated = "terminated"
    """
    Stopped early; participants will not be enrolled or treated further.
    """
    suspended = "suspended"
    """
    Stopped early but may start again.
    """
    withdrawn = "withdrawn"
    """
    Stopped before the first participant was enrolled.
    """
    unknown = "unknown"
    """
    The registry marks the status as unknown (not verified recently).
    """


class Allocation(str, Enum):
    """
    How participants were assigned to arms.
    """
    randomized = "randomized"
    """
    Randomly assigned.
    """
    non_randomized = "non_randomized"
    """
    Assigned without randomisation.
    """
    not_applicable = "not_applicable"
    """
    Single-arm study.
    """


class Masking(str, Enum):
    """
    Blinding.
    """
    none = "none"
    """
    Open label.
    """
    single = "single"
    """
    One party blinded.
    """
    double = "double"
    """
    Two parties blinded.
    """
    triple = "triple"
    """
    Three parties blinded.
    """
    quadruple = "quadruple"
    """
    Four parties blinded.
    """


class InterventionModel(str, Enum):
    """
    How the arms are organised.
    """
    single_group = "single_group"
    """
    All participants receive the same intervention.
    """
    parallel = "parallel"
    """
    Arms run side by side.
    """
    crossover = "crossover"
    """
    Participants switch arms during the study.
    """
    sequential = "sequential"
    """
    Cohorts enrol one after another, as in dose escalation.
    """
    factorial = "factorial"
    """
    Combinations of interventions.
    """


class ControlType(str, Enum):
    """
    What the intervention was compared with.
    """
    placebo = "placebo"
    """
    Placebo or sham.
    """
    standard_of_care = "standard_of_care"
    """
    Standard treatment alone.
    """
    active = "active"
    """
    Another active treatment.
    """
    dose_comparison = "dose_comparison"
    """
    Different doses of the same product.
    """
    historical = "historical"
    """
    Historical or external controls.
    """
    none = "none"
    """
    No control group.
    """


class EnrollmentType(str, Enum):
    """
    Whether a participant count is planned or actual.
    """
    planned = "planned"
    """
    Anticipated enrolment.
    """
    actual = "actual"
    """
    Participants actually enrolled.
    """


class ArmRole(str, Enum):
    """
    The role of an arm, following ClinicalTrials.gov.
    """
    experimental = "experimental"
    """
    Receives the product under study.
    """
    placebo_comparator = "placebo_comparator"
    """
    Receives a placebo.
    """
    active_comparator = "active_comparator"
    """
    Receives another active treatment.
    """
    standard_of_care = "standard_of_care"
    """
    Receives standard care only.
    """
    sham_comparator = "sham_comparator"
    """
    Receives a sham procedure.
    """
    no_intervention = "no_intervention"
    """
    Receives nothing.
    """


class DonorRelation(str, Enum):
    """
    Who donated the cells.
    """
    autologous = "autologous"
    """
    The patient's own cells.
    """
    allogeneic = "allogeneic"
    """
    Cells from another person.
    """


class ProductForm(str, Enum):
    """
    What form the product takes when it is given.
    """
    living_cells = "living_cells"
    """
    Living cells, usually culture-expanded.
    """
    extracellular_vesicles = "extracellular_vesicles"
    """
    Extracellular vesicles isolated from cell culture.
    """
    exosomes = "exosomes"
    """
    Exosomes (small extracellular vesicles of endosomal origin) as named by the source.
    """
    secretome = "secretome"
    """
    Secretome or conditioned medium (the factors cells release into culture medium).
    """
    stromal_vascular_fraction = "stromal_vascular_fraction"
    """
    Adipose stromal vascular fraction - a minimally manipulated mixture of cells.
    """
    mononuclear_cell_fraction = "mononuclear_cell_fraction"
    """
    Bone-marrow or blood mononuclear cells - a minimally manipulated fraction.
    """


class Derivation(str, Enum):
    """
    Where the cells ultimately come from.
    """
    primary = "primary"
    """
    Taken from a donor's tissue.
    """
    ipsc_derived = "ipsc_derived"
    """
    Derived from induced pluripotent stem cells.
    """
    esc_derived = "esc_derived"
    """
    Derived from embryonic stem cells.
    """


class ConditionCategory(str, Enum):
    """
    Broad groups of respiratory disorders.
    """
    obstructive = "obstructive"
    """
    Obstructive airway diseases (COPD, emphysema, asthma).
    """
    interstitial_fibrotic = "interstitial_fibrotic"
    """
    Interstitial and fibrotic lung diseases (IPF, silicosis).
    """
    acute_lung_injury = "acute_lung_injury"
    """
    Acute lung injury and ARDS.
    """
    neonatal = "neonatal"
    """
    Lung disorders of newborns (bronchopulmonary dysplasia).
    """
    pulmonary_vascular = "pulmonary_vascular"
    """
    Disorders of the lung circulation (pulmonary arterial hypertension).
    """
    infectious = "infectious"
    """
    Infections of the lung (COVID-19, pneumonia).
    """
    transplant_related = "transplant_related"
    """
    Complications of lung transplantation (bronchiolitis obliterans syndrome).
    """
    other = "other"
    """
    Any other respiratory disorder.
    """


class RouteOfAdministration(str, Enum):
    """
    How a product is given; meanings are NCI Thesaurus route terms.
    """
    intravenous = "intravenous"
    """
    Into a vein.
    """
    intratracheal = "intratracheal"
    """
    Into the trachea (NCIt files this under endotracheal).
    """
    endobronchial = "endobronchial"
    """
    Into a bronchus, usually by bronchoscope.
    """
    inhalation = "inhalation"
    """
    Inhaled, for example nebulised vesicles.
    """
    intrapulmonary = "intrapulmonary"
    """
    Into the lung tissue or its bronchi.
    """
    other = "other"
    """
    Any other route; say which in the arm's intervention text.
    """


class DoseUnit(str, Enum):
    """
    Units for a dose.
    """
    cells_per_kg = "cells_per_kg"
    """
    Cells per kilogram of body weight.
    """
    cells = "cells"
    """
    Total number of cells.
    """
    particles = "particles"
    """
    Total number of vesicle particles.
    """
    particles_per_kg = "particles_per_kg"
    """
    Vesicle particles per kilogram of body weight.
    """
    microgram_protein = "microgram_protein"
    """
    Micrograms of protein.
    """
    milliliter = "milliliter"
    """
    Millilitres of product (for example of a secretome or vesicle suspension).
    """


class OutcomeCategory(str, Enum):
    """
    Kinds of outcome measure; meanings are LOINC codes where one was checked.
    """
    fev1 = "fev1"
    """
    Forced expiratory volume in 1 second.
    """
    fvc = "fvc"
    """
    Forced vital capacity.
    """
    dlco = "dlco"
    """
    Diffusing capacity of the lung for carbon monoxide.
    """
    six_minute_walk_distance = "six_minute_walk_distance"
    """
    Distance walked in 6 minutes.
    """
    pao2_fio2 = "pao2_fio2"
    """
    Ratio of arterial oxygen tension to inspired oxygen fraction.
    """
    oxygenation = "oxygenation"
    """
    Other measures of oxygenation (oxygenation index, SpO2, oxygen need).
    """
    mortality = "mortality"
    """
    Death from any or a stated cause.
    """
    adverse_events = "adverse_events"
    """
    Adverse events, including infusion-related and serious adverse events.
    """
    inflammatory_marker = "inflammatory_marker"
    """
    Blood inflammatory markers (CRP, cytokines).
    """
    crp = "crp"
    """
    C-reactive protein.
    """
    quality_of_life = "quality_of_life"
    """
    Quality-of-life or symptom scores (SGRQ, CAT).
    """
    imaging = "imaging"
    """
    Imaging findings (CT, chest radiograph).
    """
    ventilation = "ventilation"
    """
    Ventilator-free days, duration of ventilation or oxygen support.
    """
    hospital_stay = "hospital_stay"
    """
    Length of hospital or ICU stay.
    """
    composite = "composite"
    """
    Composite outcomes (death or BPD).
    """
    other = "other"
    """
    Any other measure.
    """


class OutcomeRole(str, Enum):
    """
    The role of an outcome measure in the study.
    """
    primary = "primary"
    """
    A primary outcome.
    """
    secondary = "secondary"
    """
    A secondary outcome.
    """
    safety = "safety"
    """
    A safety outcome (when the source lists it apart from efficacy outcomes).
    """
    exploratory = "exploratory"
    """
    An exploratory or post hoc outcome.
    """
    not_stated = "not_stated"
    """
    The sources read do not say whether this outcome is primary or secondary. Use this rather than guessing a role.
    """


class ResultDirection(str, Enum):
    """
    What a result shows for the intervention.
    """
    favours_intervention = "favours_intervention"
    """
    Better with the intervention than control (or than baseline for single-arm studies).
    """
    favours_control = "favours_control"
    """
    Worse with the intervention.
    """
    no_significant_difference = "no_significant_difference"
    """
    No statistically significant difference.
    """
    no_safety_signal = "no_safety_signal"
    """
    For safety outcomes - no events attributable to the product were reported.
    """
    safety_signal = "safety_signal"
    """
    For safety outcomes - events attributable to the product were reported.
    """
    descriptive = "descriptive"
    """
    Reported without a comparison.
    """


class EstimateType(str, Enum):
    """
    Kinds of numbers that results report.
    """
    mean_difference = "mean_difference"
    """
    Difference in means between arms.
    """
    median_difference = "median_difference"
    """
    Difference in medians between arms.
    """
    risk_ratio = "risk_ratio"
    """
    Ratio of risks.
    """
    odds_ratio = "odds_ratio"
    """
    Ratio of odds.
    """
    hazard_ratio = "hazard_ratio"
    """
    Ratio of hazards.
    """
    risk_difference = "risk_difference"
    """
    Difference in risks.
    """
    mean = "mean"
    """
    A mean in one group.
    """
    median = "median"
    """
    A median in one group.
    """
    count = "count"
    """
    A number of participants or events.
    """
    proportion = "proportion"
    """
    A proportion or percentage.
    """


class PValueQualifier(str, Enum):
    """
    How a p-value is written.
    """
    equal = "equal"
    """
    p = value.
    """
    less_than = "less_than"
    """
    p < value.
    """
    greater_than = "greater_than"
    """
    p > value.
    """


class PublicationRole(str, Enum):
    """
    What a publication reports about a study.
    """
    primary_results = "primary_results"
    """
    The main results paper.
    """
    interim_results = "interim_results"
    """
    Results from an interim analysis.
    """
    follow_up = "follow_up"
    """
    Longer follow-up of an earlier trial.
    """
    secondary_analysis = "secondary_analysis"
    """
    A secondary or post hoc analysis.
    """
    protocol = "protocol"
    """
    The study protocol or design paper.
    """


class TrialRegistry(str, Enum):
    """
    Clinical-trial registries. Each meaning is the registry's Bioregistry prefix, whose pattern the validator applies to the id.
    """
    clinicaltrials = "clinicaltrials"
    """
    ClinicalTrials.gov (NCT01306513).
    """
    isrctn = "isrctn"
    """
    ISRCTN registry (ISRCTN12345678).
    """
    anzctr = "anzctr"
    """
    Australian New Zealand Clinical Trials Registry (ACTRN12612000455820).
    """
    chictr = "chictr"
    """
    Chinese Clinical Trial Registry (ChiCTR2000029990).
    """
    euclinicaltrials = "euclinicaltrials"
    """
    EU Clinical Trials Register, EudraCT numbers (2012-001234-12).
    """
    ctis = "ctis"
    """
    EU Clinical Trials Information System (2023-504123-11-00).
    """
    irct = "irct"
    """
    Iranian Registry of Clinical Trials (IRCT20200217046526N2).
    """
    jrct = "jrct"
    """
    Japan Registry of Clinical Trials (jRCT2031210097).
    """
    ctri = "ctri"
    """
    Clinical Trials Registry - India (CTRI/2020/06/026024).
    """
    drks = "drks"
    """
    German Clinical Trials Register (DRKS00012345).
    """
    pactr = "pactr"
    """
    Pan African Clinical Trials Registry (PACTR202001123456789).
    """
    rebec = "rebec"
    """
    Brazilian Clinical Trials Registry (RBR-2xyz3).
    """
    tctr = "tctr"
    """
    Thai Clinical Trials Registry (TCTR20200101001).
    """



class Record(ConfiguredBaseModel):
    """
    What every record - study, cell source, condition - has in common.
    """
    id: str = Field(default=..., description="""The record's stable id; it must equal the file name without .yaml and be unique in the whole registry. Never change it once published: other records point to it.""")
    curation: Curation = Field(default=..., description="""Who curated the record, when, and which source each group of facts came from.""")
    notes: Optional[str] = Field(default=None, description="""Anything a reader should know that the structured fields cannot say.""")
    not_reported: Optional[list[RecommendedField]] = Field(default=None, description="""Recommended fields that no cited source reports (for example countries or start_date). Listing a field here records that it was looked for and not found, which silences its recommended-field warning; a field listed here must be left empty.""")


class Study(Record):
    """
    A clinical study of a stem-cell or stem-cell-derived therapy for one or more respiratory conditions, as described by its trial registration(s) and publication(s). A follow-up paper of an earlier trial is its own Study record that names the earlier one in follow_up_of.
    """
    title: str = Field(default=..., description="""The study's official or published title, copied from the source.""")
    acronym: Optional[str] = Field(default=None, description="""The study's short name or acronym, if it has one (for example START).""")
    registrations: Optional[list[Registration]] = Field(default=None, description="""The study's trial-registry entries. A phase 1 trial and its phase 2 successor have different registry ids and are separate studies.""")
    publications: Optional[list[Publication]] = Field(default=None, description="""Papers that describe the study's design or results.""")
    evidence_basis: EvidenceBasis = Field(default=..., description="""Where the record's results come from: a peer-reviewed publication, results posted on the registry, or a registry entry only (no results available).""")
    study_type: Optional[StudyType] = Field(default=None, description="""Interventional (the investigators assign the treatment) or observational.""")
    phase: Optional[StudyPhase] = Field(default=None, description="""The trial phase as stated by the registry or publication.""")
    design: Optional[StudyDesign] = Field(default=None, description="""Allocation, masking, model and control of the study.""")
    status: StudyStatus = Field(default=..., description="""The recruitment status given by the registry at the time of curation (for example completed, terminated, withdrawn or unknown).""")
    status_reason: Optional[str] = Field(default=None, description="""For terminated, suspended or withdrawn studies, the reason the source gives.""")
    sponsors: Optional[list[str]] = Field(default=None, description="""The organisations that sponsor the study, as named by the registry.""")
    countries: Optional[list[str]] = Field(default=None, description="""Countries where participants are enrolled, as ISO 3166-1 alpha-2 codes (CN, US, IR).""")
    start_date: Optional[Union[date, str]] = Field(default=None, description="""When enrolment started (YYYY-MM-DD, YYYY-MM or YYYY).""")
    completion_date: Optional[Union[date, str]] = Field(default=None, description="""When the study was completed (or is expected to be), in the same form as start_date.""")
    enrollment: Optional[Enrollment] = Field(default=None, description="""How many participants the study enrolled or plans to enrol (see type: planned or actual). A follow-up record (follow_up_of) counts participants of the study it follows, who must not be counted twice.""")
    conditions: list[str] = Field(default=..., description="""The ids of the Condition records for the disorders studied (for example copd).""", min_length=1)
    arms: Optional[list[Arm]] = Field(default=None, description="""The study's arms or dose cohorts and what each received.""")
    outcomes: Optional[list[Outcome]] = Field(default=None, description="""The outcome measures and, where reported, their results.""")
    follow_up_duration: Optional[str] = Field(default=None, description="""How long participants were followed after treatment, as an ISO 8601 duration (P12M).""")
    follow_up_of: Optional[str] = Field(default=None, description="""If this record reports a later follow-up or extension of another study in the registry, that study's id. Two studies may share a registry id or DOI only when one names the other here. Its participants are (some of) the other study's, so totals of enrollment must leave one of the two out.""")
    id: str = Field(default=..., description="""The record's stable id; it must equal the file name without .yaml and be unique in the whole registry. Never change it once published: other records point to it.""")
    curation: Curation = Field(default=..., description="""Who curated the record, when, and which source each group of facts came from.""")
    notes: Optional[str] = Field(default=None, description="""Anything a reader should know that the structured fields cannot say.""")
    not_reported: Optional[list[RecommendedField]] = Field(default=None, description="""Recommended fields that no cited source reports (for example countries or start_date). Listing a field here records that it was looked for and not found, which silences its recommended-field warning; a field listed here must be left empty.""")


class CellSource(Record):
    """
    A therapeutic product and where it comes from: which cells, from which tissue and donor, in what form (living cells, extracellular vesicles, secretome, minimally manipulated fraction), and the named product and maker where one exists.
    """
    name: str = Field(default=..., description="""A short human-readable name, for example \"Allogeneic bone-marrow MSCs\".""")
    cell_type: Optional[OntologyTerm] = Field(default=None, description="""The cell type as a Cell Ontology (CL) term - for an EV or secretome product, the cells that produced it. Leave it out when no CL class fits (for example a stromal vascular fraction).""")
    tissue: OntologyTerm = Field(default=..., description="""The tissue the cells were taken from, as an UBERON term.""")
    donor: DonorRelation = Field(default=..., description="""Whether the cells come from the patient (autologous) or another person (allogeneic).""")
    product_form: ProductForm = Field(default=..., description="""What is given to the patient - living cells, vesicles, secretome or a cell fraction.""")
    vesicle_type: Optional[OntologyTerm] = Field(default=None, description="""For vesicle products, the Gene Ontology term for the vesicle (extracellular vesicle or exosome).""")
    derivation: Derivation = Field(default=..., description="""Whether the cells are primary cells or derived from induced or embryonic pluripotent stem cells.""")
    culture_expanded: Optional[bool] = Field(default=None, description="""True if the cells were expanded in culture before use; false for minimally manipulated products.""")
    genetic_modification: Optional[str] = Field(default=None, description="""If the cells were genetically modified, what was changed, as the source says (for example \"transfected with the human eNOS gene\"). Leave out for unmodified cells.""")
    product_name: Optional[str] = Field(default=None, description="""The product's brand or code name, if any (for example Prochymal, Pneumostem, ExoFlo).""")
    manufacturer: Optional[str] = Field(default=None, description="""The company or institution that makes the product, if named by a source.""")
    id: str = Field(default=..., description="""The record's stable id; it must equal the file name without .yaml and be unique in the whole registry. Never change it once published: other records point to it.""")
    curation: Curation = Field(default=..., description="""Who curated the record, when, and which source each group of facts came from.""")
    notes: Optional[str] = Field(default=None, description="""Anything a reader should know that the structured fields cannot say.""")
    not_reported: Optional[list[RecommendedField]] = Field(default=None, description="""Recommended fields that no cited source reports (for example countries or start_date). Listing a field here records that it was looked for and not found, which silences its recommended-field warning; a field listed here must be left empty.""")


class Condition(Record):
    """
    A respiratory disorder studied in the registry, anchored to a MONDO term.
    """
    name: str = Field(default=..., description="""The name curators and readers use for the condition.""")
    term: OntologyTerm = Field(default=..., description="""The MONDO term for the condition (id and its exact MONDO label).""")
    synonyms: Optional[list[str]] = Field(default=None, description="""Other names and abbreviations (COPD, IPF, BPD).""")
    category: ConditionCategory = Field(default=..., description="""The broad group of respiratory disorder the condition belongs to.""")
    id: str = Field(default=..., description="""The record's stable id; it must equal the file name without .yaml and be unique in the whole registry. Never change it once published: other records point to it.""")
    curation: Curation = Field(default=..., description="""Who curated the record, when, and which source each group of facts came from.""")
    notes: Optional[str] = Field(default=None, description="""Anything a reader should know that the structured fields cannot say.""")
    not_reported: Optional[list[RecommendedField]] = Field(default=None, description="""Recommended fields that no cited source reports (for example countries or start_date). Listing a field here records that it was looked for and not found, which silences its recommended-field warning; a field listed here must be left empty.""")


class OntologyTerm(ConfiguredBaseModel):
    """
    A term from an ontology, written as its CURIE id and its exact label, for example {id: \"MONDO:0005002\", label: chronic obstructive pulmonary disease}.
    """
    id: str = Field(default=..., description="""The term's CURIE, such as MONDO:0005002, CL:0000134 or UBERON:0002371.""")
    label: str = Field(default=..., description="""The term's label exactly as the ontology gives it.""")

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.-]+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class Registration(ConfiguredBaseModel):
    """
    An entry of the study in a clinical-trial registry.
    """
    registry: TrialRegistry = Field(default=..., description="""The registry that holds the entry.""")
    trial_id: str = Field(default=..., description="""The registry's id for the study, exactly as the registry writes it (NCT01306513, ChiCTR2000029990).""")


class Publication(ConfiguredBaseModel):
    """
    A paper about the study. Give at least a DOI or a PMID.
    """
    doi: Optional[str] = Field(default=None, description="""The DOI without any https://doi.org/ prefix, for example 10.1016/j.chest.2012.10.047.""")
    pmid: Optional[str] = Field(default=None, description="""The PubMed id, digits only, for example 23172343 (in YAML, write it in quotes).""")
    pmcid: Optional[str] = Field(default=None, description="""The PubMed Central id, for example PMC3747729.""")
    citation: str = Field(default=..., description="""A short citation - first author, journal and year - so readers can recognise the paper.""")
    year: Optional[int] = Field(default=None, description="""The year of publication.""", ge=1950, le=2100)
    role: PublicationRole = Field(default=..., description="""What the paper reports about the study (primary results, protocol, follow-up ...).""")

    @field_validator('doi')
    def pattern_doi(cls, v):
        pattern=re.compile(r"^10\.[0-9]{4,9}/[!-~]+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid doi format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid doi format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('pmid')
    def pattern_pmid(cls, v):
        pattern=re.compile(r"^[1-9][0-9]{0,8}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid pmid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid pmid format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('pmcid')
    def pattern_pmcid(cls, v):
        pattern=re.compile(r"^PMC[0-9]+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid pmcid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid pmcid format: {v}"
            raise ValueError(err_msg)
        return v


class StudyDesign(ConfiguredBaseModel):
    """
    How participants were allocated and masked, and what the intervention was compared with.
    """
    allocation: Optional[Allocation] = Field(default=None, description="""Randomized, non-randomized, or not applicable (single-arm studies).""")
    masking: Optional[Masking] = Field(default=None, description="""Who was blinded to the assigned treatment.""")
    model: Optional[InterventionModel] = Field(default=None, description="""How the arms are organised - single group, parallel, crossover or sequential dose escalation.""")
    control: Optional[ControlType] = Field(default=None, description="""What the intervention was compared with.""")


class Enrollment(ConfiguredBaseModel):
    """
    A participant count and whether it is planned or actual.
    """
    count: int = Field(default=..., description="""The number of participants.""", ge=0)
    type: EnrollmentType = Field(default=..., description="""Planned (anticipated) or actual (enrolled) - registries say which.""")


class Arm(ConfiguredBaseModel):
    """
    One arm or dose cohort of a study and the intervention it received. Control arms have no cell_source.
    """
    id: str = Field(default=..., description="""A short id for the arm, unique within the study (msc-low-dose, placebo).""")
    label: str = Field(default=..., description="""The arm's name as the source gives it.""")
    role: ArmRole = Field(default=..., description="""Experimental, placebo comparator, standard of care ...""")
    cell_source: Optional[str] = Field(default=None, description="""The id of the CellSource record for the product this arm received.""")
    additional_cell_sources: Optional[list[str]] = Field(default=None, description="""Ids of further CellSource records given to the same arm together with cell_source (co-infusion of two products).""")
    intervention: Optional[str] = Field(default=None, description="""What the arm received, in words (including the comparator for control arms).""")
    dose: Optional[Dose] = Field(default=None, description="""The amount of product in one administration.""")
    dose_count: Optional[int] = Field(default=None, description="""How many administrations each participant received.""", ge=1)
    dose_interval: Optional[str] = Field(default=None, description="""Time between administrations, as an ISO 8601 duration (P2D, P1W).""")
    route: Optional[RouteOfAdministration] = Field(default=None, description="""How the product was given.""")
    participants: Optional[int] = Field(default=None, description="""Participants in this arm (planned or actual, as for the study's enrollment).""", ge=0)


class Dose(ConfiguredBaseModel):
    """
    The amount of product given in one administration. Write big numbers as 1.0e6 or 1000000. For a range, give value and value_max.
    """
    value: float = Field(default=..., description="""The dose, or the lower end of a dose range.""", ge=0)
    value_max: Optional[float] = Field(default=None, description="""The upper end of a dose range, if the source gives a range.""", ge=0)
    unit: DoseUnit = Field(default=..., description="""The unit of the dose - cells per kg, total cells, particles, micrograms of protein, millilitres.""")


class Outcome(ConfiguredBaseModel):
    """
    An outcome measure of a study - what was measured, its role and timepoint - and its result where the source reports one.
    """
    id: str = Field(default=..., description="""A short id for the outcome, unique within the study (primary-safety, mortality-day-28). It names the outcome in the linked data, so reordering outcomes changes nothing.""")
    name: str = Field(default=..., description="""The outcome as the source names it.""")
    category: Optional[OutcomeCategory] = Field(default=None, description="""The kind of measure (FEV1, 6-minute walk distance, mortality ...), where one fits.""")
    role: OutcomeRole = Field(default=..., description="""Primary, secondary, safety or exploratory, or not stated by the source.""")
    timepoint: Optional[str] = Field(default=None, description="""When it was measured, as the source says (day 28, 6 months after infusion).""")
    source: Optional[str] = Field(default=None, description="""The cited source of this outcome - a registry id, doi:... or pmid:... of this study.""")
    result: Optional[OutcomeResult] = Field(default=None, description="""What the source reports; leave out if no result is available.""")


class OutcomeResult(ConfiguredBaseModel):
    """
    The reported result of one outcome measure.
    """
    direction: ResultDirection = Field(default=..., description="""What the result shows for the intervention.""")
    comparison: Optional[str] = Field(default=None, description="""What was compared (MSC vs placebo at day 28; change from baseline).""")
    estimate: Optional[float] = Field(default=None, description="""The effect estimate or value as reported.""")
    estimate_type: Optional[EstimateType] = Field(default=None, description="""What kind of number the estimate is (mean difference, risk ratio, count ...).""")
    estimate_unit: Optional[str] = Field(default=None, description="""The estimate's unit as reported (mL, m, %, mmHg, participants).""")
    ci_lower: Optional[float] = Field(default=None, description="""Lower bound of the confidence interval.""")
    ci_upper: Optional[float] = Field(default=None, description="""Upper bound of the confidence interval.""")
    ci_level: Optional[float] = Field(default=None, description="""Confidence level of the interval as a fraction (0.95).""", ge=0, le=1)
    p_value: Optional[float] = Field(default=None, description="""The p-value as reported.""", ge=0, le=1)
    p_value_qualifier: Optional[PValueQualifier] = Field(default=None, description="""Whether the p-value is exact (equal) or a bound (less_than), as the source writes it.""")
    summary: str = Field(default=..., description="""One or two sentences on what the source reports, in your own words.""")


class Curation(ConfiguredBaseModel):
    """
    The provenance of a record - who curated it, when, and from which sources.
    """
    curators: list[Curator] = Field(default=..., description="""The people who curated the record.""", min_length=1)
    created: date = Field(default=..., description="""When the record was first written.""")
    modified: Optional[date] = Field(default=None, description="""When the record was last changed.""")
    sources: list[SourceUse] = Field(default=..., description="""Each source read, with the fields whose facts came from it.""", min_length=1)


class Curator(ConfiguredBaseModel):
    """
    A person who curated a record.
    """
    name: str = Field(default=..., description="""The curator's name.""")
    orcid: Optional[str] = Field(default=None, description="""The curator's ORCID iD, digits only (0000-0002-1825-0097).""")

    @field_validator('orcid')
    def pattern_orcid(cls, v):
        pattern=re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid orcid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid orcid format: {v}"
            raise ValueError(err_msg)
        return v


class SourceUse(ConfiguredBaseModel):
    """
    One source that was read and which of the record's fields came from it.
    """
    source: str = Field(default=..., description="""The source: a trial-registry id (NCT01306513), doi:10.xxxx/... or pmid:12345678. For a study it must be one of the study's registrations or publications.""")
    fields: list[str] = Field(default=..., description="""The names of the record's fields whose facts came from this source (status, arms, outcomes ...).""", min_length=1)


# Model rebuild
# see https://pydantic-docs.helpmanual.io/usage/models/#rebuilding-a-model
Record.model_rebuild()
Study.model_rebuild()
CellSource.model_rebuild()
Condition.model_rebuild()
OntologyTerm.model_rebuild()
Registration.model_rebuild()
Publication.model_rebuild()
StudyDesign.model_rebuild()
Enrollment.model_rebuild()
Arm.model_rebuild()
Dose.model_rebuild()
Outcome.model_rebuild()
OutcomeResult.model_rebuild()
Curation.model_rebuild()
Curator.model_rebuild()
SourceUse.model_rebuild()
