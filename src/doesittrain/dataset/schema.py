"""The dataset format: one YAML file per AI tool, validated by these pydantic models.

Facts are closed vocabularies (enums) so that every sentence a reader sees can be derived from them by
`doesittrain.verdicts`; free text is limited to steps, side effects, notes and our own summaries.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator

UNKNOWN = "unknown"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


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


class Plan(Strict):
    id: Slug = Field(description="Short id used by evidence and history, e.g. 'consumer', 'api'.")
    name: Text
    audience: Audience
    regions: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")]] = Field(
        default_factory=list, description="Where this verdict applies (e.g. EU, UK); empty means everywhere else."
    )
    region_note: Text | None = None
    training: Training
    opt_out: OptOut
    human_review: Text | Literal["unknown"] = UNKNOWN
    retention: Retention | Literal["unknown"] = UNKNOWN
    zero_data_retention: ZeroDataRetention
    dpa: DPA
    notes: Text | None = None

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
    field: Field_
    source: Slug
    quote: Text
    supports: Text = Field(description="What the quote shows, in our own words.")


class Appearance(Strict):
    outlet: Text
    url: HttpUrl | None = None
    date: dt.date | None = None


class Myth(Strict):
    claim: Text
    appeared: Appearance
    rating: MythRating
    correction: Text
    evidence: list[Slug] = Field(min_length=1, description="Ids of evidence entries that support the correction.")


class HistoryEntry(Strict):
    date: dt.date
    plan: Slug
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

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def evidence_for(self, plan_id: str, field: Field_) -> list[Evidence]:
        return [e for e in self.evidence if plan_id in e.plans and e.field is field]

    def evidence_by_id(self, evidence_id: str) -> Evidence:
        return next(e for e in self.evidence if e.id == evidence_id)

    @property
    def primary_plan(self) -> Plan:
        """The tier most readers are on: the first consumer plan that applies everywhere."""
        for plan in self.plans:
            if plan.audience is Audience.consumer and not plan.regions:
                return plan
        for plan in self.plans:
            if plan.audience is Audience.consumer:
                return plan
        return self.plans[0]
