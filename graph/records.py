"""Pydantic models for paradiplo's records.

A data file curates what *one* source says (``data/<source-id>.yaml``), or the
general-knowledge facts needed for maps (``data/general-knowledge.yaml``), or the
bibliography (``data/sources.yaml``).  The same record id may appear in several
source files: each file is one source's claim about that entity, and the RDF
builder puts it in that source's named graph.  Disagreeing values are therefore
kept side by side, never overwritten.

Every field of the records is declared once, in :data:`FIELDS`: its RDF property, what it
may point to, whether sources can disagree on it. The RDF builder, the reference checks,
the field names in SHACL problems and ``paradiplo conflicts`` are derived from that table;
a new field needs an entry there and an attribute on its model, nothing else.

Examples
--------
>>> from graph.records import Agreement
>>> a = Agreement(id="omsk-pavlodar-2015", type="Agreement",
...               label={"en": "Omsk–Pavlodar agreement"}, date="2015-03-16",
...               signatories=["omsk-oblast", "pavlodar-oblast"],
...               evidence=[{"locator": "Результаты", "quote": "(16.03.2015 г.)"}])
>>> a.date.precision, a.date.year
('day', 2015)
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Callable, Literal, get_args

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, PlainValidator, ValidationInfo,
                      field_validator)
from pydantic_core import PydanticCustomError, core_schema

from .lazy import lazy

edtf = lazy("edtf")  # its grammar takes a fifth of a second to build: only when a date is parsed

__all__ = [
    "ID_PATTERN",
    "LANGUAGE_TAG",
    "MAX_QUOTE",
    "is_id",
    "check_id",
    "check_language",
    "check_text",
    "PartialDate",
    "Evidence",
    "Coordinates",
    "ActorType",
    "AgreementType",
    "ForumType",
    "ProjectType",
    "Record",
    "Actor",
    "Agreement",
    "Forum",
    "Sector",
    "Observation",
    "Project",
    "Claim",
    "Qualifier",
    "QUALIFIERS",
    "Flow",
    "FLOWS",
    "ClaimKind",
    "CLAIM_KINDS",
    "ProjectStatus",
    "PROJECT_STATUSES",
    "Source",
    "SourceFile",
    "SourcesFile",
    "KIND_MODELS",
    "GENERAL_KNOWLEDGE",
    "Id",
    "FieldSpec",
    "FIELDS",
    "LITERALS",
    "fields_of",
    "DateOrIndefinite",
    "EDTF_DATATYPE",
]

ID_PATTERN = r"[a-z0-9][a-z0-9-]*[a-z0-9]"  # always used with re.fullmatch
_ID_RE = re.compile(ID_PATTERN)
GENERAL_KNOWLEDGE = "general-knowledge"
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

#: A well-formed language tag (RFC 5646 section 2.1, without the grandfathered tags), used
#: with ``re.fullmatch``. ASCII classes spelled out: ``[a-z]`` with ``re.IGNORECASE`` would
#: also match the Kelvin sign and the long s.
LANGUAGE_TAG = re.compile(
    r"(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language, extended language subtags
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"  # private use
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+)")  # private use only
_MAX_TAG = 64
#: Characters in one quote: a quote backs a claim, it does not reproduce the paper.
MAX_QUOTE = 300

#: Characters no text field may hold: C0 and C1 controls and DEL (tab and line feed are
#: allowed in the fields of ``MULTILINE``), lone surrogates, the Unicode line and
#: paragraph separators, and bidi marks, embeddings, overrides and isolates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                        "\ud800-\udfff]")
_BREAKS = re.compile("[\t\n]")
#: Fields whose text may run over several lines (and hold tabs).
MULTILINE = frozenset({"note"})
_NOUNS = {"label": "a label", "alt_labels": "an alternative label", "historical_labels": "a historical label",
          "note": "a note", "quote": "a quote", "locator": "a locator", "title": "a title",
          "authors": "an author's name", "category": "a category", "unit": "a unit",
          "date_basis": "a date basis"}


@dataclass(frozen=True)
class PartialDate:
    """A date in the Library of Congress Extended Date/Time Format (EDTF), with its bounds.

    A plain date is known to a year, a month or a day (``2015``, ``"2015-03"``,
    ``"2015-03-16"``; YAML may also hand over a ``datetime.date``); impossible dates
    (``2015-02-30``, month 13) are refused.  Vague dates are written in EDTF and parsed by
    the ``edtf`` package: ``2024~`` (about), ``2019?`` (uncertain), ``2022/2025``
    (interval), ``../2024`` (before, open start), ``2024/..`` (from, open end),
    ``2024-21`` (spring).  ``earliest`` and ``latest`` are the first and last day the
    date can mean; an approximate or uncertain date is widened by one unit of each
    component it states (the ``edtf`` package's fuzzy bounds: ``2024~`` is 2023-01-01 to
    2025-12-31); an open or unknown end is ``None``.

    Examples
    --------
    >>> d = PartialDate.parse("2015-03")
    >>> str(d), d.precision, d.year, d.first_day(), d.last_day()
    ('2015-03', 'month', 2015, datetime.date(2015, 3, 1), datetime.date(2015, 3, 31))
    >>> v = PartialDate.parse("2024~")
    >>> v.precision, v.year, v.earliest, v.latest
    ('edtf', None, datetime.date(2023, 1, 1), datetime.date(2025, 12, 31))
    >>> PartialDate.parse("../2024").earliest is None
    True
    """

    text: str
    earliest: dt.date | None
    latest: dt.date | None

    @property
    def exact(self) -> bool:
        """Whether the date is a plain year, month or day (no qualifier, no interval)."""
        return _plain_match(self.text) is not None

    @property
    def precision(self) -> Literal["year", "month", "day", "edtf"]:
        """``year``, ``month`` or ``day`` for a plain date; ``edtf`` for any other."""
        if not self.exact:
            return "edtf"
        return ("year", "month", "day")[self.text.count("-")]

    @property
    def year(self) -> int | None:
        """The calendar year of a plain date; ``None`` for a vague one (see its bounds)."""
        return int(self.text[:4]) if self.exact else None

    def __str__(self) -> str:
        return self.text

    def first_day(self) -> dt.date:
        """The earliest calendar day the date can mean (``date.min`` for an open start)."""
        return self.earliest or dt.date.min

    def last_day(self) -> dt.date:
        """The latest calendar day the date can mean (``date.max`` for an open end)."""
        return self.latest or dt.date.max

    @classmethod
    def parse(cls, value: Any) -> "PartialDate":
        """Parse a plain date or an EDTF string; raise ``ValueError`` otherwise."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            raise ValueError("expected a date without a time, like 2015-03-16")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"expected a date: {_DATE_FORMS}")
        text = str(value).strip()
        match = _plain_match(text)
        if match:
            return _plain_date(text, *(int(g) if g else None for g in match.groups()))
        return _edtf_date(text)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_plain_validator_function(
            _bad_date(cls.parse), serialization=core_schema.to_string_ser_schema()
        )


def _bad_date(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse``, reporting a ``ValueError`` as a pydantic error of type ``bad_date`` (problem code ``bad-date``)."""
    def validate(value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            raise PydanticCustomError("bad_date", "{reason}", {"reason": str(exc)}) from None
    return validate


def _parse_until(value: Any) -> "PartialDate | Literal['indefinite']":
    """A date, or ``indefinite`` (an agreement with no end date)."""
    if value == "indefinite":
        return "indefinite"
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        if str(exc).startswith("expected"):
            raise ValueError(f"expected a date as {_DATE_FORMS}, or 'indefinite', got {value!r}") from None
        raise


#: ``valid_until``: a date or ``indefinite``, one validator (so a bad value is one ``bad-date`` problem).
DateOrIndefinite = Annotated[PartialDate | Literal["indefinite"], PlainValidator(_bad_date(_parse_until))]


_DATE_FORMS = ("YYYY, YYYY-MM or YYYY-MM-DD, or EDTF such as 2024~ (about), 2019? (uncertain), "
               "2022/2025 (interval), ../2024 (before) or 2024/.. (from)")
#: EDTF's Library of Congress datatype, for the literal of a date that is not a plain xsd:date/gYearMonth/gYear
EDTF_DATATYPE = "http://id.loc.gov/datatypes/edtf/EDTF"


def _plain_match(text: str) -> re.Match | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (an EDTF season, ``YYYY-21`` to ``YYYY-41``, is not plain)."""
    match = _DATE_RE.fullmatch(text)
    if match and match.group(3) is None and 21 <= int(match.group(2) or 0) <= 41:
        return None
    return match


def _check_year(year: int, value: str) -> None:
    if not 1000 <= year <= 2100:
        raise ValueError(f"impossible year {year} in {value}: expected 1000–2100")


def _plain_date(text: str, year: int, month: int | None, day: int | None) -> PartialDate:
    """A year, year-month or day, checked for impossible months and days."""
    _check_year(year, text)
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"impossible date {text}: month {month} is not 1–12")
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"impossible date {text}: {year}-{month:02d} has {last} days")
    first = dt.date(year, month or 1, day or 1)
    end_month = month or 12
    return PartialDate(text, first, dt.date(year, end_month, day or calendar.monthrange(year, end_month)[1]))


def _bound(section: Any, fuzzy: Callable[[], Any]) -> dt.date | None:
    """One bound of an EDTF value: ``None`` when that end is open or unknown."""
    if getattr(section, "is_open", False) or getattr(section, "is_unknown", False):
        return None
    value = fuzzy()
    if isinstance(value, float):  # the edtf package's ±infinity
        return None
    return dt.date(*value[:3])


def _edtf_date(text: str) -> PartialDate:
    """An EDTF value parsed by the ``edtf`` package, with its fuzzy bounds."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the edtf package prints its retries
            value = edtf.parse_edtf(text)
    except Exception:  # EDTFParseException, or a TypeError on some malformed input ("/..")
        raise ValueError(f"expected a date as {_DATE_FORMS}, got {text!r}") from None
    if type(value).__name__ in ("DateAndTime", "Level2Interval") and "T" in text:
        raise ValueError("expected a date without a time, like 2015-03-16")
    earliest = _bound(getattr(value, "lower", None), value.lower_fuzzy)
    latest = _bound(getattr(value, "upper", None), value.upper_fuzzy)
    for bound in (earliest, latest):
        if bound is not None:
            _check_year(bound.year, text)
    if earliest is not None and latest is not None and latest < earliest:
        raise ValueError(f"impossible interval {text}: it ends before it starts")
    if earliest is None and latest is None:
        raise ValueError(f"date {text} has no known start or end; leave the date out instead")
    return PartialDate(str(value), earliest, latest)


def is_id(value: object) -> bool:
    """Whether ``value`` is a record id: lowercase letters, digits, inner hyphens (whole string).

    >>> is_id("omsk-oblast"), is_id("omsk-oblast\\n"), is_id("Omsk")
    (True, False, False)
    """
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


def check_id(value: str) -> str:
    """``value`` if it is a record id; ``ValueError`` otherwise."""
    if not is_id(value):
        raise ValueError(f"{value!r} is not a valid id: use lowercase letters, digits and hyphens, "
                         "like 'omsk-oblast'")
    return value


def check_language(tag: str) -> str:
    """A BCP 47 language tag, lowercased as RDF stores keep it; ``ValueError`` if malformed.

    >>> check_language("en-GB"), check_language("kk")
    ('en-gb', 'kk')
    """
    if not isinstance(tag, str) or len(tag) > _MAX_TAG or not LANGUAGE_TAG.fullmatch(tag):
        raise ValueError(f"{tag!r} is not a language tag (BCP 47) like 'en', 'ru', 'kk' or 'en-GB'")
    return tag.lower()


def check_text(value: Any, name: str) -> Any:
    """Refuse control and bidi characters in text, NFC-normalise it; lists and maps are walked.

    Every mapping in the records is keyed by language tag: keys are checked as such.

    >>> check_text("\\u0418\\u0306", "label") == "\\u0419"  # NFD in, NFC out
    True
    >>> check_text("red\\x1b[0m", "label")
    Traceback (most recent call last):
    ...
    ValueError: U+001B is not allowed in a label
    """
    if type(value) is str:  # not an Enum member, whose text is fixed
        bad = _FORBIDDEN.search(value) or (name not in MULTILINE and _BREAKS.search(value))
        if bad:
            hint = "; write it on one line" if bad.group() in "\t\n" else ""
            raise ValueError(f"U+{ord(bad.group()):04X} is not allowed in {_NOUNS.get(name, repr(name))}{hint}")
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [check_text(v, name) for v in value]
    if isinstance(value, dict):
        out = {check_language(k): check_text(v, name) for k, v in value.items()}
        if len(out) < len(value):
            raise ValueError(f"a language appears twice in {_NOUNS.get(name, repr(name))} (tags ignore case)")
        return out
    return value


Id = Annotated[str, AfterValidator(check_id)]  # a record id (ID_PATTERN, whole string)
LangTag = Annotated[str, AfterValidator(check_language)]
LangMap = dict[str, str]  # language tag → text, e.g. {"en": "Omsk Oblast", "ru": "Омская область"}
LangList = dict[str, list[str]]


class _Strict(BaseModel):
    """Unknown fields refused, whitespace stripped, numbers finite, text checked (:func:`check_text`)."""

    # defer_build: a model's validator is built when it first validates, so that a command that
    # reads no data file (a query on a store) does not pay for building them all (0.3 s)
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False,
                              defer_build=True)

    @field_validator("*")
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> Any:
        return check_text(value, info.field_name)


#: Where in a paper evidence comes from: its ``body`` (the default) or its ``reference`` list (the
#: locator is the reference number, the quote the reference entry verbatim).
#: ``ontology/shapes.ttl`` lists the same values (a test keeps them equal).
EvidenceKind = Literal["body", "reference"]
EVIDENCE_KINDS: tuple[str, ...] = get_args(EvidenceKind)


class Evidence(_Strict):
    """Where a source says it: a locator (section heading, page) and a verbatim quote; ``kind``
    ``reference`` when the quote is an entry of the paper's reference list."""

    locator: str = Field(min_length=1, description="section heading or page in the source")
    quote: str = Field(min_length=1, description=f"verbatim, original language, at most {MAX_QUOTE} characters")
    lang: LangTag | None = Field(default=None, description="language of the quote if not the source's")
    kind: EvidenceKind = Field(default="body", description="body, or reference: an entry of the reference list")

    @field_validator("quote")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > MAX_QUOTE:
            raise ValueError(f"a quote of {len(value)} characters, over the limit of {MAX_QUOTE}: quote the "
                             "shortest passage that states the claim, or split it into two evidence items")
        return value


class Coordinates(_Strict):
    """WGS84 point of an administrative centre (a general-knowledge fact)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ActorType(str, Enum):
    State = "State"
    Region = "Region"
    District = "District"
    City = "City"
    ExecutiveBody = "ExecutiveBody"
    Legislature = "Legislature"
    Company = "Company"
    BusinessAssociation = "BusinessAssociation"
    NGO = "NGO"
    DiasporaOrganisation = "DiasporaOrganisation"
    University = "University"
    DiplomaticMission = "DiplomaticMission"
    InternationalOrganisation = "InternationalOrganisation"
    SpecialEconomicZone = "SpecialEconomicZone"
    Person = "Person"


class AgreementType(str, Enum):
    Agreement = "Agreement"
    Memorandum = "Memorandum"
    TwinningAgreement = "TwinningAgreement"
    Programme = "Programme"
    Convention = "Convention"
    Declaration = "Declaration"
    LegalAct = "LegalAct"


class ForumType(str, Enum):
    ForumSeries = "ForumSeries"
    ForumEdition = "ForumEdition"
    Exhibition = "Exhibition"
    Conference = "Conference"
    CommissionSession = "CommissionSession"
    DelegationVisit = "DelegationVisit"
    CulturalEvent = "CulturalEvent"


class ProjectType(str, Enum):
    """What a project is (each a subclass of ``pd:Project``); ``Infrastructure`` for any other works."""

    TransportCorridor = "TransportCorridor"
    BorderCheckpoint = "BorderCheckpoint"
    Pipeline = "Pipeline"
    Plant = "Plant"
    Cluster = "Cluster"
    LogisticsHub = "LogisticsHub"
    Infrastructure = "Infrastructure"


class Record(_Strict):
    """Fields every record has: id, labels, a note and its evidence."""

    id: Id
    label: LangMap = Field(default_factory=dict, description="language → preferred label")
    alt_labels: LangList = Field(default_factory=dict, description="alternative names")
    historical_labels: LangList = Field(default_factory=dict, description="former names")
    note: str | None = None
    date_basis: str | None = Field(default=None, max_length=300, description=(
        "the printed words a date rests on when its year is not in a quote (in one of the quotes)"))
    evidence: list[Evidence] = Field(default_factory=list)
    draft: bool = Field(default=False, description="proposed by `paradiplo draft`, not yet curated: kept out "
                        "of the graph until a person removes the flag")

    def references(self) -> dict[str, list[str]]:
        """Field name → ids of other records this record points to (the reference fields of :data:`FIELDS`)."""
        out: dict[str, list[str]] = {}
        for spec in fields_of(type(self)):
            if spec.target is not None:
                if ids := spec.values(getattr(self, spec.name)):
                    out[spec.name] = ids
        return out


class Actor(Record):
    """A state, region, city, body, organisation or person acting abroad."""

    type: ActorType | None = None
    country: Id | None = None
    part_of: list[Id] = Field(default_factory=list)
    governs: list[Id] = Field(default_factory=list)
    member_of: list[Id] = Field(default_factory=list, description="organisations, councils, forum series")
    located_in: Id | None = None
    jurisdiction: list[Id] = Field(default_factory=list, description="territories covered")
    borders: list[Id] = Field(default_factory=list, description="regions or states sharing a border")
    coordinates: Coordinates | None = None
    founded: PartialDate | None = None
    founded_by: list[Id] = Field(default_factory=list, description="founders or co-founders")
    led_by: list[Id] = Field(default_factory=list, description="persons heading the organisation")
    supplies: list[Id] = Field(default_factory=list, description="actors it supplies goods or services to")
    operates_in: list[Id] = Field(default_factory=list, description="regions, cities or zones it has operations in")
    joint_venture_of: list[Id] = Field(default_factory=list, description="parents of a joint venture")
    reservation_to: list[Id] = Field(default_factory=list, description="conventions it made a reservation to")


class Agreement(Record):
    """An agreement, memorandum, twinning, programme, convention, declaration or legal act."""

    type: AgreementType | None = None
    signatories: list[Id] = Field(default_factory=list)
    date: PartialDate | None = Field(default=None, description="date signed or adopted")
    place: Id | None = None
    signed_at: Id | None = Field(default=None, description="forum or visit it was signed at")
    sectors: list[Id] = Field(default_factory=list)
    valid_until: DateOrIndefinite | None = None
    status: Literal["in-force", "expired", "terminated", "planned", "unknown"] | None = None
    implements: list[Id] = Field(default_factory=list, description="framework it implements")
    instrument: Literal["paradiplomatic", "national-framework", "external-context", "non-governmental"] | None = Field(
        default=None, description="what the record is for the analysis, when its signatories do not say it")
    ratifies: Id | None = Field(default=None, description="the act this one ratifies (a ratification law)")
    amends: Id | None = Field(default=None, description="the act this one amends")
    proposed_by: list[Id] = Field(default_factory=list, description="who proposed or initiated it")


class Forum(Record):
    """A forum series or edition, exhibition, conference, session, festival or visit."""

    type: ForumType | None = None
    edition_of: Id | None = None
    number: int | None = Field(default=None, ge=1, description="edition number")
    date: PartialDate | None = Field(default=None, description="first day held")
    end_date: PartialDate | None = None
    status: Literal["held", "planned", "cancelled", "unknown"] | None = Field(
        default=None, description="planned: announced, not (yet) held")
    place: Id | None = None
    hosts: list[Id] = Field(default_factory=list)
    participants: list[Id] = Field(default_factory=list)
    visitors: list[Id] = Field(default_factory=list, description="for visits: who travelled")
    led_by: list[Id] = Field(default_factory=list, description="persons leading a delegation")
    sectors: list[Id] = Field(default_factory=list)
    founded_by: list[Id] = Field(default_factory=list, description="initiators of a forum series")
    proposed_by: list[Id] = Field(default_factory=list, description="who proposed it (e.g. the next edition)")


#: A project's state. ``ontology/shapes.ttl`` lists the same values (a test keeps them equal).
ProjectStatus = Literal["planned", "under-construction", "operating", "suspended", "unknown"]
PROJECT_STATUSES: tuple[str, ...] = get_args(ProjectStatus)


class Project(Record):
    """A project or infrastructure: a transport corridor, checkpoint, pipeline, plant, cluster, hub."""

    type: ProjectType | None = None
    participants: list[Id] = Field(default_factory=list, description="actors taking part")
    location: list[Id] = Field(default_factory=list, description="regions, cities or zones where it lies")
    status: ProjectStatus | None = None
    date: PartialDate | None = Field(default=None, description="start, opening or announcement")
    sectors: list[Id] = Field(default_factory=list)
    proposed_by: list[Id] = Field(default_factory=list)
    founded_by: list[Id] = Field(default_factory=list)
    led_by: list[Id] = Field(default_factory=list)
    implements: list[Id] = Field(default_factory=list, description="agreements or programmes it carries out")


#: What a claim is. ``ontology/shapes.ttl`` lists the same values (a test keeps them equal).
ClaimKind = Literal["thesis", "risk", "assessment", "recommendation", "proposal", "finding"]
CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)


class Claim(Record):
    """What a paper argues: a thesis, risk, assessment, recommendation, proposal or finding.

    The source making the claim is the file's source; ``label`` (``en``) is a one-line
    paraphrase and the evidence quotes the author's words.
    """

    kind: ClaimKind
    subject: list[Id] = Field(min_length=1, description="actors, agreements, forums, projects or sectors")
    period: PartialDate | None = Field(default=None, description="the period the claim is about")
    proposed_by: list[Id] = Field(default_factory=list, description="for a proposal: who proposed it")


class Sector(Record):
    """A sector of cooperation: a SKOS concept under the project's sector scheme."""

    broader: list[Id] = Field(default_factory=list)


#: How an observation's value is printed: ``exact`` (the default when no qualifier is given),
#: ``about`` (около 1 000), ``more-than`` (более 70%), ``less-than`` (менее 5%), ``up-to`` (не более).
#: ``ontology/shapes.ttl`` lists the same values (a test keeps them equal).
Qualifier = Literal["exact", "about", "more-than", "less-than", "up-to"]
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)

#: What kind of figure an observation is. ``ontology/shapes.ttl`` lists the same values (a test keeps them equal).
Flow = Literal["export", "import", "turnover", "share", "count", "volume", "growth", "change", "investment", "other"]
FLOWS: tuple[str, ...] = get_args(Flow)


class Observation(Record):
    """A figure a source gives, one cell of a tidy cube: indicator, flow, subject, partner, period,
    value, unit, and the printed table it comes from."""

    indicator: Id
    flow: Flow = Field(description="what kind of figure: export, import, turnover, share, count, ...")
    subject: list[Id] = Field(min_length=1, description="actors the figure is about")
    counterpart: list[Id] = Field(default_factory=list, description="e.g. trade partner")
    value: float
    qualifier: Qualifier | None = Field(default=None, description="how the value is printed: about 1000, more than 70")
    unit: str = Field(min_length=1)
    period: PartialDate | None = Field(default=None, description="period the figure refers to, if printed")
    category: LangMap = Field(default_factory=dict, description="e.g. product group (a table's row)")
    table: str | None = Field(default=None, min_length=1, description="the printed table or figure, as printed")


class Source(_Strict):
    """A research paper (or other document) that records cite."""

    id: Id
    authors: list[str] = Field(default_factory=list, description="as printed; empty if not printed")
    title: LangMap = Field(min_length=1)
    note: str | None = Field(default=None, description="e.g. 'title not printed in the text'")
    journal: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100, description="None if not printed")
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    language: LangTag = Field(description="main language of the text, e.g. 'ru'")
    file: str | None = Field(default=None, description="seed file name, looked for by `validate --texts DIR`")
    text: str | None = Field(default=None, description="the paper's text: a path relative to the data folder")

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        if value is not None and not _DOI.fullmatch(value):
            raise ValueError(f"{value!r} is not a DOI like '10.22394/2073-2929-2024-01-25-37'")
        return value

    @field_validator("file")
    @classmethod
    def _bare_name(cls, value: str | None) -> str | None:
        if value is not None and (value in (".", "..") or re.search(r"[/\\:]", value)):
            raise ValueError(f"{value!r}: give the seed's bare file name, without a folder")
        return value

    @field_validator("text")
    @classmethod
    def _relative_path(cls, value: str | None) -> str | None:
        if value is not None and ("\\" in value or ":" in value
                                  or any(part in ("", ".", "..") for part in value.split("/"))):
            raise ValueError(f"{value!r}: give a path inside the data folder with '/' between folders, "
                             "like 'texts/paper.txt'")
        return value


_DOI = re.compile(r"10\.[0-9]{4,9}/[^\x00-\x20<>\"{}|^`\\\x7f-\x9f]+")


class SourceFile(_Strict):
    """One data file: what one source (or general knowledge) says."""

    source: Id
    actors: list[Actor] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    forums: list[Forum] = Field(default_factory=list)
    sectors: list[Sector] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)


class SourcesFile(_Strict):
    """``data/sources.yaml``: the bibliography."""

    sources: list[Source]


KIND_MODELS: dict[str, type[Record]] = {
    "actors": Actor,
    "agreements": Agreement,
    "forums": Forum,
    "sectors": Sector,
    "observations": Observation,
    "projects": Project,
    "claims": Claim,
}


#: How a literal field is written in RDF (``special``: by its own code in :mod:`graph.rdf`).
LITERALS = ("text", "english", "langs", "lang-lists", "date", "date-and-year", "integer", "double", "special")


@dataclass(frozen=True)
class FieldSpec:
    """One field of the records, declared once: RDF building, reference checks, the field
    names in SHACL problems and ``paradiplo conflicts`` are all derived from it.

    Attributes
    ----------
    name
        The YAML key and model attribute (which models have it is up to the models).
    prop
        The RDF property: a local name in the ``pd:`` ontology (``partOf``) or a prefixed
        name (``rdfs:label``) with a prefix of :data:`graph.rdf.PREFIXES`.
    target
        For a reference: the kinds of record (``actors``, ``forums``, …) it may point to;
        ``None`` for a literal.
    literal
        For a literal: how it is written, one of :data:`LITERALS`; ``None`` for a reference.
    contestable
        One true value (for a list: one true list): when two sources give values that cannot
        both be true, ``conflicts`` lists them.
    multi
        A list of values (``[a, b]``) rather than one.
    target_type
        For a reference: the record type the target must have (``country``: a ``State``).
    symmetric
        For a reference: also stated from the target back (``borders``).
    also
        Other properties the field is written with (``date``: also ``year``, ``earliest``, ``latest``).
    """

    name: str
    prop: str
    target: tuple[str, ...] | None = None
    literal: str | None = None
    contestable: bool = False
    multi: bool = False
    target_type: str | None = None
    symmetric: bool = False
    also: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.target is None) == (self.literal is None):
            raise ValueError(f"field {self.name!r}: give a target (a reference) or a literal form, not both")
        if self.literal is not None and self.literal not in LITERALS:
            raise ValueError(f"field {self.name!r}: literal {self.literal!r} is not one of {LITERALS}")

    def values(self, value: Any) -> list:
        """The field's value as a list: ``[]`` when absent, ``[value]`` when single-valued."""
        if value is None:
            return []
        return list(value) if self.multi else [value]


def _ref(name: str, prop: str, *target: str, **options: Any) -> FieldSpec:
    return FieldSpec(name, prop, target=target, **options)


def _lit(name: str, prop: str, literal: str, **options: Any) -> FieldSpec:
    return FieldSpec(name, prop, literal=literal, **options)


#: Every field of the records (``id`` aside), in one table: name → :class:`FieldSpec`.
FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in (
    # every record
    _lit("label", "rdfs:label", "langs", also=("skos:prefLabel",)),  # a sector's label is its prefLabel too
    _lit("alt_labels", "skos:altLabel", "lang-lists"),
    _lit("historical_labels", "historicalName", "lang-lists"),
    _lit("note", "rdfs:comment", "english"),
    _lit("date_basis", "dateBasis", "text"),
    _lit("evidence", "evidence", "special", multi=True, also=("quote", "locator", "evidenceKind")),
    _lit("type", "rdf:type", "special"),
    _lit("draft", "draft", "special"),  # never written: a draft record is not loaded into the graph
    # actors
    _ref("country", "country", "actors", target_type="State", contestable=True),
    _ref("part_of", "partOf", "actors", multi=True),
    _ref("governs", "governs", "actors", multi=True),
    _ref("member_of", "memberOf", "actors", "forums", multi=True),
    _ref("located_in", "locatedIn", "actors"),
    _ref("jurisdiction", "jurisdiction", "actors", multi=True),
    _ref("borders", "sharesBorderWith", "actors", multi=True, symmetric=True),
    _lit("coordinates", "geo:lat", "special", also=("geo:long",)),
    _lit("founded", "founded", "date", contestable=True),
    _ref("founded_by", "foundedBy", "actors", multi=True),
    _ref("supplies", "suppliesTo", "actors", multi=True),
    _ref("operates_in", "operatesIn", "actors", multi=True),
    _ref("joint_venture_of", "jointVentureOf", "actors", multi=True),
    _ref("reservation_to", "reservationTo", "agreements", multi=True),
    # agreements, forums and projects
    _ref("signatories", "signatory", "actors", multi=True, contestable=True),
    _lit("date", "date", "date-and-year", contestable=True, also=("year", "earliest", "latest")),
    _lit("end_date", "endDate", "date", contestable=True),
    _ref("place", "place", "actors", contestable=True),
    _ref("signed_at", "signedAt", "forums", contestable=True),
    _ref("sectors", "sector", "sectors", multi=True),
    _lit("valid_until", "validUntil", "special", contestable=True, also=("indefinite",)),
    _lit("status", "status", "text", contestable=True),
    _ref("implements", "implements", "agreements", multi=True),
    _lit("instrument", "instrument", "text", contestable=True),
    _ref("ratifies", "ratifies", "agreements"),
    _ref("amends", "amends", "agreements"),
    _ref("edition_of", "editionOf", "forums", contestable=True),
    _lit("number", "editionNumber", "integer", contestable=True),
    _ref("hosts", "host", "actors", multi=True),
    _ref("participants", "participant", "actors", multi=True),
    _ref("visitors", "visitor", "actors", multi=True),
    _ref("led_by", "ledBy", "actors", multi=True),
    _ref("proposed_by", "proposedBy", "actors", multi=True),
    # projects
    _ref("location", "location", "actors", multi=True),
    # claims
    _lit("kind", "claimKind", "text"),
    # sectors
    _ref("broader", "skos:broader", "sectors", multi=True),
    # observations
    _lit("indicator", "indicator", "text"),
    _lit("flow", "flow", "text"),
    _ref("subject", "about", "actors", "forums", "agreements", "projects", "sectors", multi=True),
    _ref("counterpart", "counterpart", "actors", multi=True),
    _lit("value", "rdf:value", "double", contestable=True),
    _lit("qualifier", "qualifier", "text"),
    _lit("unit", "unit", "text", contestable=True),
    _lit("period", "date", "date-and-year", contestable=True, also=("year", "earliest", "latest")),
    _lit("category", "category", "langs"),
    _lit("table", "table", "text"),
)}


@functools.lru_cache(maxsize=None)
def fields_of(model: type[Record]) -> tuple[FieldSpec, ...]:
    """The :data:`FIELDS` a record model has, in table order (computed once per model: records call it
    for every record they check or write).

    >>> [f.name for f in fields_of(Sector) if f.target]
    ['broader']
    """
    return tuple(spec for name, spec in FIELDS.items() if name in model.model_fields)
