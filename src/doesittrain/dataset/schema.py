"""The dataset format: one YAML file per AI tool, validated by these pydantic models.

Facts are closed vocabularies (enums) so that every sentence a reader sees can be derived from them by
`doesittrain.verdicts`; free text is limited to steps, side effects, notes and our own summaries.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, PrivateAttr, StringConstraints, field_validator

UNKNOWN = "unknown"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    def model_post_init(self, context: object, /) -> None:
        # Every model keeps the set of fields its file gave; the models are frozen, so equal sets can be one object.
        # A site of 10,000 tools holds about 700,000 models: sharing the sets keeps ~40 % of the dataset's memory.
        self._share_field_set()

    def __setstate__(self, state: dict) -> None:
        # An unpickled model (the build's cache, one pickle per tool) is made like a validated one: its values go
        # into the instance's own dictionary under the interned attribute names (pydantic's __setstate__ swaps in
        # the unpickled dictionary, whose names are each tool's own copies: 76 MiB more at 10,000 tools), and its
        # field set is shared.
        for name in ("__pydantic_extra__", "__pydantic_private__"):
            object.__setattr__(self, name, state.get(name))
        object.__setattr__(self, "__pydantic_fields_set__", state["__pydantic_fields_set__"])
        values = state["__dict__"]
        self.__dict__.update(zip(map(sys.intern, values), values.values()))
        self._share_field_set()

    def _share_field_set(self) -> None:
        given = self.__pydantic_fields_set__
        object.__setattr__(self, "__pydantic_fields_set__", _FIELD_SETS.setdefault(frozenset(given), given))


_FIELD_SETS: dict[frozenset[str], set[str]] = {}


class Audience(str, Enum):
    consumer = "consumer"
    business = "business"
    enterprise = "enterprise"
    developer_api = "developer-api"


class Training(str, Enum):
    default_on = "default_on"
    default_on_no_opt_out = "default_on_no_opt_out"
    opt_in = "opt_in"
    off = "off"
    unknown = "unknown"


class OptOutMechanism(str, Enum):
    settings_toggle = "settings_toggle"
    privacy_request = "privacy_request"
    email_request = "email_request"
    admin_setting = "admin_setting"
    not_offered = "not_offered"
    not_needed = "not_needed"
    unknown = "unknown"


class OptOutScope(str, Enum):
    future_only = "future_only"
    past_and_future = "past_and_future"
    unknown = "unknown"


class ZeroDataRetention(str, Enum):
    available = "available"
    on_request = "on_request"
    enterprise_only = "enterprise_only"
    not_offered = "not_offered"
    unknown = "unknown"


class DPA(str, Enum):
    public = "public"
    on_request = "on_request"
    not_offered = "not_offered"
    unknown = "unknown"


class Confidence(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"


class SourceKind(str, Enum):
    policy = "policy"
    terms = "terms"
    help_page = "help_page"
    vendor_blog = "vendor_blog"
    news = "news"
    third_party_tracker = "third_party_tracker"

    @property
    def is_vendor(self) -> bool:
        return self in {SourceKind.policy, SourceKind.terms, SourceKind.help_page, SourceKind.vendor_blog}


class MythRating(str, Enum):
    false = "false"
    outdated = "outdated"
    misleading = "misleading"
    missing_context = "missing_context"


# The plan fields that carry a verdict; evidence and history name one of them.
class Field_(str, Enum):
    training = "training"
    opt_out = "opt_out"
    human_review = "human_review"
    retention = "retention"
    zero_data_retention = "zero_data_retention"
    dpa = "dpa"


class Region(str, Enum):
    """Where a vendor's terms can differ; the one list of region codes (their reader names live in wording.py)."""

    EU = "EU"  # the European Union and the wider EEA
    UK = "UK"
    CH = "CH"
    US = "US"
    CA = "CA"
    BR = "BR"
    KR = "KR"
    JP = "JP"
    IN = "IN"
    AU = "AU"
    CN = "CN"


class CaveatKind(str, Enum):
    """Things that qualify a verdict; each is worded from its kind by verdicts.caveat_sentence."""

    feedback_used = "feedback_used"  # feedback you send is used even with training off
    flagged_content_used = "flagged_content_used"  # content flagged for safety review is used even with training off
    program_opt_in = "program_opt_in"  # an organisation can join a programme that allows training (detail: its name)
    third_party_platform = "third_party_platform"  # use through another provider follows that provider's terms (detail)
    public_content_used = "public_content_used"  # public content is used regardless of the setting (detail: what)


class OptOut(Strict):
    mechanism: OptOutMechanism
    steps: Text | None = Field(None, description="The exact path, e.g. 'Settings → Data Controls → Improve the model for everyone'.")
    side_effects: Text | None = Field(None, description="What opting out costs or does not cover.")
    scope: OptOutScope = OptOutScope.unknown

    @property
    def is_unknown(self) -> bool:
        return self.mechanism is OptOutMechanism.unknown


class Retention(Strict):
    summary: Text
    days: int | None = Field(None, ge=0, description="Default retention in days, where a number is documented.")


class Caveat(Strict):
    kind: CaveatKind
    detail: Text | None = Field(None, description="A short noun phrase the sentence needs, e.g. 'the Development Partner Program'.")
    evidence: list[Slug] = Field(min_length=1, description="Ids of evidence entries that show it.")


# The verdict fields a region variant may override.
VARIANT_FIELDS = ("training", "opt_out", "human_review", "retention", "zero_data_retention", "dpa")


class RegionVariant(Strict):
    """Where the vendor's terms differ by region: the fields that differ there, each with its own evidence."""

    regions: list[Region] = Field(min_length=1)
    note: Text | None = Field(None, description="Why it differs there, in our own words.")
    training: Training | None = None
    opt_out: OptOut | None = None
    human_review: Text | Literal["unknown"] | None = None
    retention: Retention | Literal["unknown"] | None = None
    zero_data_retention: ZeroDataRetention | None = None
    dpa: DPA | None = None

    @property
    def overrides(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in VARIANT_FIELDS if getattr(self, name) is not None}


class Plan(Strict):
    id: Slug = Field(description="Short id used by evidence and history, e.g. 'consumer', 'api'.")
    name: Text
    audience: Audience
    training: Training
    opt_out: OptOut
    human_review: Text | Literal["unknown"] = UNKNOWN
    retention: Retention | Literal["unknown"] = UNKNOWN
    zero_data_retention: ZeroDataRetention
    dpa: DPA
    notes: Text | None = None
    caveats: list[Caveat] = Field(default_factory=list)
    regional: list[RegionVariant] = Field(default_factory=list)
    # Set on the copy that `in_region` returns: the variant applied, so wording can say where it holds.
    _variant: RegionVariant | None = PrivateAttr(default=None)

    @property
    def variant(self) -> RegionVariant | None:
        # Read from pydantic's private store directly: `self._variant` is found only after a failed ordinary
        # look-up, and pages ask this of every tier many times.
        return self.__pydantic_private__["_variant"]

    @property
    def regions(self) -> list[Region]:
        """Where this view of the plan holds: the variant's regions, or empty for the plan's own terms."""
        variant = self.variant
        return list(variant.regions) if variant else []

    def variant_for(self, region: Region | str | None) -> RegionVariant | None:
        if not region:
            return None
        return next((v for v in self.regional if any(r.value == str(getattr(region, "value", region)) for r in v.regions)), None)

    def in_region(self, region: Region | str | None) -> Plan:
        """The plan as it applies to a reader in `region`: the region's variant applied, or the plan itself."""
        variant = self.variant_for(region)
        if variant is None:
            return self
        return self.as_variant(variant)

    def as_variant(self, variant: RegionVariant) -> Plan:
        view = self.model_copy(update=variant.overrides)
        view._variant = variant
        return view

    @property
    def view_id(self) -> str:
        """A stable key for this view: the plan id, with the variant's regions after an @ (e.g. 'consumer@EU+UK')."""
        variant = self.variant
        if variant is None:
            return self.id
        return f"{self.id}@{'+'.join(r.value for r in variant.regions)}"

    def views(self) -> list[Plan]:
        """The plan's own terms, then one view per region variant."""
        return [self, *(self.as_variant(v) for v in self.regional)]

    def is_known(self, field: Field_) -> bool:
        value = getattr(self, field.value)
        if field is Field_.opt_out:
            return not value.is_unknown
        return value != UNKNOWN and getattr(value, "value", value) != UNKNOWN


class Source(Strict):
    id: Slug
    url: HttpUrl
    title: Text
    kind: SourceKind
    published: dt.date | None = Field(None, description="The date printed on the source, if any.")
    retrieved: dt.date = Field(description="The date the text was read.")
    archived_copy: bool = Field(False, description="Quoted from an archived copy of the vendor's page.")


class Evidence(Strict):
    id: Slug | None = None
    plans: list[Slug] = Field(min_length=1)
    regions: list[Region] = Field(default_factory=list, description="Set when it supports a region variant's field.")
    field: Field_
    source: Slug
    quote: Text
    supports: Text = Field(description="What the quote shows, in our own words.")


class Appearance(Strict):
    outlet: Text
    url: HttpUrl | None = None
    date: dt.date | None = Field(None, description="The date the page prints for the claim.")
    seen: dt.date | None = Field(None, description="When the claim was seen there, for a page that prints no date.")


class Myth(Strict):
    claim: Text
    appeared: Appearance
    rating: MythRating
    correction: Text
    evidence: list[Slug] = Field(min_length=1, description="Ids of evidence entries that support the correction.")


class HistoryEntry(Strict):
    date: dt.date
    plan: Slug
    region: Region | None = Field(None, description="Set when the change concerns a region variant of the plan.")
    field: Field_
    before: Text
    after: Text
    note: Text
    source: Slug


class Tool(Strict):
    slug: Slug
    name: Text
    vendor: Text
    category: Text
    official_site: HttpUrl
    aliases: list[Text] = Field(default_factory=list)
    tier_hint: Text | None = Field(None, description="How a reader can tell which plan they are on.")
    last_verified: dt.date
    confidence: Confidence
    plans: list[Plan] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    evidence: list[Evidence] = Field(default_factory=list)
    myths: list[Myth] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)

    @field_validator("evidence")
    @classmethod
    def _number_evidence(cls, evidence: list[Evidence]) -> list[Evidence]:
        # Evidence ids are optional in the files; give the rest stable ids by position.
        return [e if e.id else e.model_copy(update={"id": f"e{i + 1}"}) for i, e in enumerate(evidence)]

    def plan(self, plan_id: str) -> Plan:
        return next(p for p in self.plans if p.id == plan_id)

    def plan_views(self) -> list[Plan]:
        """Every plan as it applies somewhere: each plan's own terms, then its region variants."""
        return [view for plan in self.plans for view in plan.views()]

    def view(self, view_id: str) -> Plan:
        return next(v for v in self.plan_views() if v.view_id == view_id)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def evidence_for(self, plan_id: str, field: Field_, variant: RegionVariant | None = None) -> list[Evidence]:
        """Quotes behind a plan's field; for a region variant that overrides the field, the variant's own quotes."""
        if variant is not None and field.value in variant.overrides:
            return [e for e in self.evidence if plan_id in e.plans and e.field is field and set(e.regions) & set(variant.regions)]
        return [e for e in self.evidence if plan_id in e.plans and e.field is field and not e.regions]

    def evidence_of(self, plan: Plan, field: Field_) -> list[Evidence]:
        """evidence_for a plan as viewed (its region variant, if any)."""
        return self.evidence_for(plan.id, field, plan.variant)

    def evidence_by_id(self, evidence_id: str) -> Evidence:
        return next(e for e in self.evidence if e.id == evidence_id)

    @property
    def primary_plan(self) -> Plan:
        """The tier most readers are on: the first consumer plan, else the first plan."""
        for plan in self.plans:
            if plan.audience is Audience.consumer:
                return plan
        return self.plans[0]
