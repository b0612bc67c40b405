"""Machine-checkable claims: the data attributes every element carries when it states a verdict.

`data-tool`, `data-plan`, `data-field` and `data-value` (the dataset's value; for opt_out its mechanism), plus
`data-region` when the element states a region variant. A site-wide test reads them back and holds every page
against the dataset, so a sentence can never say something the data does not.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .. import verdicts
from ..dataset.schema import Field_, Plan, Tool

# The fields a claim can state (the others are free text and are shown as written).
CLAIM_FIELDS = (Field_.training, Field_.opt_out, Field_.zero_data_retention, Field_.dpa)


def claim_values(tool: Tool, plan: Plan, field: Field_ | str) -> dict[str, str]:
    field = Field_(getattr(field, "value", field))
    values = {
        "data-tool": tool.slug,
        "data-plan": plan.id,
        "data-field": field.value,
        "data-value": verdicts.plan_value(plan, field),
    }
    if plan.variant is not None:
        values["data-region"] = " ".join(r.value for r in plan.variant.regions)
    return values


def claim(tool: Tool, plan: Plan, field: Field_ | str) -> Markup:
    """' data-tool="…" data-plan="…" …' for an element that states this plan's field."""
    return Markup("".join(f' {name}="{escape(value)}"' for name, value in claim_values(tool, plan, field).items()))
