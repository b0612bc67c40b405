"""Every reader-facing word that is not a verdict sentence: labels, titles, messages, the licence line.

`verdicts.py` builds the sentences that state a verdict; this module holds the fixed words around them, one label per
value, so pages, the API, feeds, badges and emails all say the same thing.
"""

from __future__ import annotations

from .dataset.schema import DPA, UNKNOWN, Field_, OptOutMechanism, Region, Training, ZeroDataRetention


# ---------------------------------------------------------------- tool page furniture

TIMELINE_CAPTION = "Each dot is a dated change; the list below says the same in words."
TIMELINE_OTHER_SETTING = "Opt-out, retention or DPA setting (values in the list below)"
FAQ_HEADING = "Frequently asked questions"
TIERS_HEADING = "Verdict by plan tier"
OPT_OUT_HEADING = "Can you opt out?"
ZDR_DPA_HEADING = "Zero retention / DPA"
OPT_OUT_SIDE_EFFECT = "Side effect of opting out:"


def faq_summary(count: int) -> str:
    return f"{count} common questions, each answered above"


def as_sentence(text: str) -> str:
    """Text ending in exactly one full stop (or its own ! or ?), so joined sentences never read "years.. Human"."""
    text = text.strip().rstrip(".").rstrip()
    return text if text.endswith(("!", "?", "…")) else text + "."


def join_names(names: list[str]) -> str:
    """'Claude', 'Claude and ChatGPT', 'Claude, ChatGPT and Gemini'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def compare_title(names: list[str]) -> str:
    return f"Compare {join_names(names)}" if names else "Compare AI tools"


def plan_with_tool(tool_name: str, plan_name: str) -> str:
    """'GitHub Copilot' + 'Copilot Free' → 'GitHub Copilot Free'; 'DeepSeek' + 'DeepSeek Chat' → 'DeepSeek Chat'."""
    tool_words, plan_words = tool_name.split(), plan_name.split()
    for size in range(min(len(tool_words), len(plan_words)), 0, -1):
        if [w.lower() for w in tool_words[-size:]] == [w.lower() for w in plan_words[:size]]:
            return " ".join(tool_words + plan_words[size:])
    return f"{tool_name} {plan_name}"


# ---------------------------------------------------------------- one label per value
# Every badge, table cell, filter, chart bar, feed title and JSON label of a stored value reads one of these.

NOT_DOCUMENTED = "Not documented"

TRAINING_LABELS = {
    Training.default_on: "Trains on your data by default",
    Training.default_on_no_opt_out: "Trains on your data, no opt-out",
    Training.opt_in: "Trains only if you opt in",
    Training.off: "Does not train on your data",
    Training.unknown: "Training not documented",
}

OPT_OUT_LABELS = {
    OptOutMechanism.settings_toggle: "Opt-out in settings",
    OptOutMechanism.privacy_request: "Opt-out by privacy request",
    OptOutMechanism.email_request: "Opt-out by email",
    OptOutMechanism.admin_setting: "Opt-out by an admin",
    OptOutMechanism.not_offered: "No opt-out",
    OptOutMechanism.not_needed: "No opt-out needed",
    OptOutMechanism.unknown: "Opt-out not documented",
}

ZDR_LABELS = {
    ZeroDataRetention.available: "Zero retention available",
    ZeroDataRetention.on_request: "Zero retention on request",
    ZeroDataRetention.enterprise_only: "Zero retention for Enterprise only",
    ZeroDataRetention.not_offered: "No zero-retention option",
    ZeroDataRetention.unknown: "Zero retention not documented",
}

DPA_LABELS = {
    DPA.public: "DPA published",
    DPA.on_request: "DPA on request",
    DPA.not_offered: "No DPA",
    DPA.unknown: "DPA not documented",
}

FIELD_NAMES = {
    Field_.training: "Training on your data",
    Field_.opt_out: "Opt-out",
    Field_.human_review: "Human review",
    Field_.retention: "Retention",
    Field_.zero_data_retention: "Zero data retention",
    Field_.dpa: "Data processing agreement",
}

LABELS_BY_FIELD = {
    Field_.training: TRAINING_LABELS,
    Field_.opt_out: OPT_OUT_LABELS,
    Field_.zero_data_retention: ZDR_LABELS,
    Field_.dpa: DPA_LABELS,
}


def label(field: Field_, value: str | None) -> str:
    """The one label of a stored value, e.g. ('training', 'default_on') -> 'Trains on your data by default'."""
    labels = LABELS_BY_FIELD.get(field)
    if labels is None:  # free-text fields (retention, human review) are shown as written
        return NOT_DOCUMENTED if value in (None, "", UNKNOWN) else str(value)
    for key, text in labels.items():
        if key.value == (value or UNKNOWN):
            return text
    return str(value)


# What each label means for the reader, with an example, for /methodology's glossary.
GLOSSARY = {
    Field_.training: {
        Training.default_on: ("Your prompts, files and chats are used to train the vendor's models unless you switch it off.",
                              "A free chatbot account where “Improve the model” is on until you turn it off."),
        Training.default_on_no_opt_out: ("Your content is used for training and the vendor offers no way to stop it, short of not using the tool.",
                                         "An app whose terms say chats train its models, with no setting or form to object."),
        Training.opt_in: ("Nothing you send is used for training unless you actively agree, for example by joining a programme.",
                          "A plan where training is off until an admin joins a data-sharing programme."),
        Training.off: ("The vendor says it does not use your content to train its models on this plan.",
                       "A business plan whose contract forbids training on customer content."),
        Training.unknown: ("The vendor's public texts do not say; we do not guess.",
                           "A privacy policy that only says data is used “to improve our services”."),
    },
    Field_.opt_out: {
        OptOutMechanism.settings_toggle: ("You can stop training yourself, with a switch in the product's settings.", "Settings → Data Controls → a training switch."),
        OptOutMechanism.privacy_request: ("You stop training by sending the vendor a privacy request or objection form.", "A right-to-object form in a privacy centre."),
        OptOutMechanism.email_request: ("You stop training by writing to the vendor.", "An email to the vendor's privacy address."),
        OptOutMechanism.admin_setting: ("Your organisation's administrator can switch training off for everyone.", "An admin console setting for the whole workspace."),
        OptOutMechanism.not_offered: ("There is no way to keep your data out of training on this plan.", "Terms that describe training and no exception."),
        OptOutMechanism.not_needed: ("Nothing to do: your data is not used for training unless you opt in.", "A business plan that does not train by default."),
        OptOutMechanism.unknown: ("The vendor does not say whether or how you can opt out.", "A policy that mentions training but no choice."),
    },
    Field_.zero_data_retention: {
        ZeroDataRetention.available: ("You can have prompts and outputs not stored at all after they are processed.", "An API setting that keeps nothing after the response."),
        ZeroDataRetention.on_request: ("Zero retention exists, but the vendor must approve it for you.", "An API customer asks sales to enable it."),
        ZeroDataRetention.enterprise_only: ("Zero retention is only part of Enterprise contracts.", "Only enterprise customers may sign for it."),
        ZeroDataRetention.not_offered: ("Your data is kept for a while in every case.", "Chats are kept for 30 days even when deleted."),
        ZeroDataRetention.unknown: ("The vendor does not say.", "No word on retention options."),
    },
    Field_.dpa: {
        DPA.public: ("The vendor publishes a data processing agreement your organisation can rely on.", "A DPA page linked from the business terms."),
        DPA.on_request: ("A data processing agreement exists, but you must ask for it.", "Contact sales for a signed DPA."),
        DPA.not_offered: ("No data processing agreement is offered on this plan.", "A consumer app with no processor terms."),
        DPA.unknown: ("The vendor does not say.", "No word on processor terms."),
    },
}

CONFIDENCE_MEANINGS = {
    "high": "the vendor's own current policy text says it plainly",
    "medium": "the vendor's text is indirect, older, or only quoted by third parties",
    "low": "sources disagree or are thin; treat this as a lead, not an answer",
}

SETTING_STATES = {
    "default": "I haven't changed anything",
    "opted_out": "I turned training off / opted out",
    "opted_in": "I opted in to training",
}

AUDIENCE_LABELS = {
    "consumer": "Consumer",
    "business": "Business",
    "enterprise": "Enterprise",
    "developer-api": "API",
}

MYTH_RATING_LABELS = {
    "false": "False",
    "outdated": "Outdated",
    "misleading": "Misleading",
    "missing_context": "Missing context",
}

SOURCE_KIND_LABELS = {
    "policy": "Vendor policy",
    "terms": "Vendor terms",
    "help_page": "Vendor help page",
    "vendor_blog": "Vendor blog",
    "news": "News report",
    "third_party_tracker": "Third-party tracker",
}

# The region picker: every code of the one list, by its reader name; "" is everyone else.
REGION_CHOICES = {
    "": "Anywhere else",
    Region.EU.value: "European Union / EEA",
    Region.UK.value: "United Kingdom",
    Region.CH.value: "Switzerland",
    Region.US.value: "United States",
    Region.CA.value: "Canada",
    Region.BR.value: "Brazil",
    Region.KR.value: "South Korea",
    Region.JP.value: "Japan",
    Region.IN.value: "India",
    Region.AU.value: "Australia",
    Region.CN.value: "China",
}

# How a region reads inside a sentence ("in the EU/EEA and the UK").
REGION_IN_SENTENCE = {
    Region.EU: "the EU/EEA", Region.UK: "the UK", Region.CH: "Switzerland", Region.US: "the United States",
    Region.CA: "Canada", Region.BR: "Brazil", Region.KR: "South Korea", Region.JP: "Japan", Region.IN: "India",
    Region.AU: "Australia", Region.CN: "China",
}


def regions_phrase(regions) -> str:
    return join_names([REGION_IN_SENTENCE[Region(getattr(r, "value", r))] for r in regions])


def audience_label(audience) -> str:
    return AUDIENCE_LABELS.get(getattr(audience, "value", audience), str(audience))


def myth_rating_label(rating) -> str:
    return MYTH_RATING_LABELS.get(getattr(rating, "value", rating), str(rating))


def myth_dated(appeared) -> str:
    """After the outlet's name: the date its page prints, or when the claim was seen there."""
    if appeared.date:
        return f", {appeared.date.isoformat()}"
    return f" (seen there on {appeared.seen.isoformat()})" if appeared.seen else ""


def source_kind_label(kind) -> str:
    return SOURCE_KIND_LABELS.get(getattr(kind, "value", kind), str(kind))


def question(tool) -> str:
    return f"Does {tool.name} train its models on your data?"


def not_covered(query: str) -> str:
    return f"We have not covered “{query}” yet, so we cannot say whether it trains on your data."


# ---------------------------------------------------------------- home filters and the chart
# A filter and the chart bar of the same name count the same tools: both are defined over tiers in web/search.py.

FILTER_LABELS = {
    "trains": "Train on your data by default on a consumer plan",
    "no_opt_out": "Offer no documented opt-out on a consumer plan that trains",
    "zdr": "Offer zero retention on some plan",
}

CHART_TITLE = "How many tools train on your data by default, per kind of plan"
CHART_LEGEND = {
    "bad": "Train on your data by default on such a plan",
    "good": "Do not train by default on any such plan",
    "unknown": "Not documented",
}


def chart_row_label(audience) -> str:
    return f"{audience_label(audience)} plans"


def filter_match_caption(plan_name: str) -> str:
    return f"Matches on {plan_name}"


# ---------------------------------------------------------------- forms: compare and "my situation"

CHOOSE_TOOL = "Choose a tool"
CHOOSE_PLAN = "Choose a plan"
CHECK_NEXT = "Next"
CHECK_ANSWER = "Get the answer"


def plan_not_offered(plan_name: str, tool_name: str) -> str:
    return f"“{plan_name}” is not one of {tool_name}’s plans. Choose one of its plans below."


HOME_VERDICT_COLUMN = "Verdict for the main plan"


def tools_shown(shown: int, total: int) -> str:
    return f"{shown} of {total} tools shown. Each row names the plan its badges are for."


def in_regions(where: str) -> str:
    """'In the EU/EEA and the UK', the lead of a region variant inside its tier's row."""
    return f"In {where}"


# ---------------------------------------------------------------- alerts by email

ALERTS_NOT_ENABLED = (
    "Email alerts are not enabled on this site: it has no mail server, so no confirmation email could arrive."
)
ALERTS_OFF_TITLE = "Email alerts are off on this site"
ALERTS_FEED_INSTEAD = "Follow the changes in a feed reader instead"
SMTP_MISSING_WARNING = (
    "Note: no mail server is set (DOESITTRAIN_SMTP_URL), so email alerts are off; the subscribe forms say so."
)


def back_to(name: str | None) -> str:
    return f"Back to {name or 'all tools'}"


# ---------------------------------------------------------------- emails

def change_email_subject(tools: list[dict], change_count: int) -> str:
    """One line naming what changed: the field, tier and new value when it is one change of one tool."""
    if len(tools) > 1:
        return f"{len(tools)} AI tools changed what they do with your data"
    tool = tools[0]
    if change_count == 1:
        first = tool["changes"][0]
        return f'{tool["name"]} changed: {first["field_name"]} ({first["change"].plan_name}) is now "{first["after"]}"'
    return f'{tool["name"]} changed {change_count} things about your data'


def confirm_email_subject(tool_name: str | None) -> str:
    return f"Confirm: email me when {tool_name or 'any AI tool'} changes its data policy"


# ---------------------------------------------------------------- titles, messages and the licence line

def timeline_title(tool_name: str) -> str:
    return f"Timeline of verdict changes for {tool_name}"


def tool_feed_title(tool_name: str) -> str:
    return f"{tool_name}: verdict changes"


CHANGES_FEED_TITLE = "Does it train? Verdict changes"
ALL_CHANGES_LINK_TITLE = "All verdict changes"

def check_inbox(valid_hours: int) -> str:
    return (
        "Thanks. If this address can receive alerts, a confirmation link is on its way. "
        f"Open it within {valid_hours} hours to start the alert."
    )


LICENCE = {
    "data": "CC BY 4.0",
    "data_url": "https://creativecommons.org/licenses/by/4.0/",
    "quoted_policy_texts": "ODC-BY 1.0 (Open Terms Archive)",
    "code": "Apache-2.0",
    "attribution": "doesittrain contributors",
}


DATA_LICENCE = (
    f"Dataset under {LICENCE['data']} (credit “{LICENCE['attribution']}”); quoted policy texts from Open Terms Archive "
    f"under ODC-BY 1.0; code under {LICENCE['code']}."
)
DATA_LICENCE_SHORT = f"{LICENCE['data']}, {LICENCE['attribution']}"

MYTH_RATING_MEANINGS = {
    "false": "The claim is wrong: the vendor's own text says otherwise.",
    "outdated": "The claim was true once; the vendor's terms have changed since.",
    "misleading": "The claim mixes up two things, such as hiding your images and keeping them out of training.",
    "missing_context": "The claim holds for some plans or regions but is stated as if it held for all.",
}


BADGE_LEFT = "does it train?"


# ---------------------------------------------------------------- the monitor's re-check, for readers

def quotes_last_found(day) -> str:
    return f"Quotes last found on the vendor's page on {day.isoformat()}."


def quote_missing_since(day) -> str:
    return f"A quote from this page has not been found there since {day.isoformat()}; an editor is reviewing it."


def under_review_since(day) -> str:
    return f"Under review since {day.isoformat()}: a quote behind this verdict is no longer on the vendor's page."


def quotes_summary(where: str | None) -> str:
    """The summary of a tier's (or a region variant's) quotes: 'Quotes for this tier', 'Quotes for the EU/EEA'."""
    return f"Quotes for {where}" if where else "Quotes for this tier"


PLAN_DEFAULT = "The default on this plan:"


# ---------------------------------------------------------------- messages of the site and its API

HTTP_ERRORS = {
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    500: "Something went wrong on our side. The error has been logged.",
    503: "The site's database is busy or restarting. Please try again in a moment.",
}

DATASET_NAME = "Does it train on my data? AI tool training policies"
DATASET_DESCRIPTION = (
    "Per tool, plan tier and region: whether the vendor trains on your data, opt-out, retention, zero data retention "
    "and DPA, each with verbatim quotes from cited sources."
)

API_DOCS = {
    "api": f"Does this AI tool train on my data? {DATA_LICENCE}",
    "no_such_tool": "No such tool",
    "listTools": "Every covered tool with its verdict summary",
    "q": "Only tools matching this name, product or vendor, best first",
    "getTool": "One tool: facts, answers, evidence and the monitor's re-check of its sources",
    "getToolDocument": "Same as /api/tools/{slug}",
    "downloadJson": f"The whole dataset ({LICENCE['data']})",
    "downloadCsv": f"One row per tool, plan tier and region variant ({LICENCE['data']})",
}


# ---------------------------------------------------------------- page furniture: titles, headings, links

EMAIL_FIELD = "Your email address"
SOURCE_LINK = "Source"
DID_YOU_MEAN = "Did you mean"
CHECK_ANOTHER = "Check another AI tool"
SEE_EVERY_TOOL = "See every tool we cover"

CHANGES_PAGE = {
    "title": "Verdict changes",
    "lead": "Every change to a verdict we have published, newest first.",
    "feed": "Atom feed",
    "notify": "Get notified about every tool",
    "all": "All changes",
    "none": "No verdict change has been published yet.",
}

METHODOLOGY_PAGE = {
    "title": "Methodology",
    "heading": "How verdicts are made",
    "sources": "From sources to a verdict",
    "labels": "What each label means",
    "confidence": "What confidence means",
    "ratings": "Ratings of claims made elsewhere",
    "source_kinds": "Kinds of sources",
    "licences": "Data and licences",
}


def error_title(status: int) -> str:
    return "Not found" if status == 404 else f"Error {status}"


def error_heading(status: int) -> str:
    return "Page not found" if status == 404 else "Something is not right"

# Short words of the site's forms, tables and headings.
UI = {
    "site_title": "Does it train on my data?",
    "home_heading": "Does this AI tool train on your data?",
    "which_tool": "Which AI tool?",
    "search": "Search",
    "notify_me": "Notify me",
    "get_notified": "Get notified when this changes",
    "my_situation": "My situation",
    "tool": "Tool",
    "plan": "Plan",
    "where_you_are": "Where you are",
    "what_you_did": "What you did in the settings",
    "your_answer": "Your answer",
    "compare": "Compare",
    "kind_of_plan": "Kind of plan",
    "all_tools": "All tools",
    "category": "Category",
    "any_category": "Any category",
    "show_only": "Show only tools that",
    "apply_filters": "Apply filters",
    "tier": "Tier",
    "verdict": "Verdict",
    "what_it_means": "What it means",
    "myths": "What the listicles get wrong",
    "timeline": "How the verdict changed",
    "sources": "Sources",
    "html_to_copy": "HTML to copy",
    "check_inbox": "Check your inbox",
    "alert_confirmed": "Alert confirmed",
    "notify_heading": "Get notified when a verdict changes",
    "email": "Email",
    "unsubscribe": "Unsubscribe",
    "unsubscribed": "Unsubscribed",
    "nothing_to_unsubscribe": "Nothing to unsubscribe",
    "topics": "Topics",
    "before": "Before",
    "after": "After",
    "now": "Now",
    "effective": "Effective",
    "claims_broken": "Claims this breaks",
    "resolve_note": "Note (what you did, or why nothing needs doing)",
    "resolve": "Resolve",
    "editor_sign_in": "Editor sign-in",
    "password": "Password",
    "sign_in": "Sign in",
    "sign_out": "Sign out",
    "review_queue": "Review queue",
    "kind": "Kind",
    "what": "What",
    "since": "Since",
    "status": "Status",
    "changed_what_it_says": "changed what it says about your data",
    "confirm_alert": "Confirm your alert",
    "another_tool": "Another tool's name",
    "no_plan_of_this_kind": "No plan of this kind",
}


def tool_title(tool_name: str) -> str:
    return f"Does {tool_name} train on your data?"


def check_title(tool_name: str | None) -> str:
    return f"{tool_name}: my situation" if tool_name else UI["my_situation"]


def compare_legend(most: int) -> str:
    return f"Tools to compare (up to {most})"


def results_for(query: str) -> str:
    return f"Results for “{query}”"


def show_quotes(count: int) -> str:
    return "Show the quote" if count == 1 else "Show the quotes"


def embed_badge(tool_name: str) -> str:
    return f"Embed a badge for {tool_name}"


MESSAGES = {
    "admin_lockout": "Too many wrong passwords from this address. Wait 15 minutes before trying again.",
    "wrong_password": "That password is not right.",
    "too_many_confirmations": "This address has asked for several confirmation emails already. Please wait an hour.",
    "cross_site_form": "This form was sent from another site, so it was not accepted. Open the form on this site and send it from there.",
    "form_unverified": (
        "This form could not be verified: the browser said neither which site it came from nor sent the site's security "
        "cookie. Allow cookies for this site, then send the form again from its own page (for alerts: /subscribe)."
    ),
    "form_token_missing": "This form is missing its security token. Reload the page and send the form again.",
    "form_token_stale": "This form's security token is out of date. Reload the page and send the form again.",
}


def stop_alerts_about(tool_name: str | None) -> str:
    return f"Stop alerts about {tool_name or 'all AI tools'}?"


def review_title(item_id: int) -> str:
    return f"Review #{item_id}"


def quote_count(count: int) -> str:
    return "1 quote" if count == 1 else f"{count} quotes"


def too_many_requests(seconds: int) -> str:
    return f"Too many requests. Please wait {seconds} seconds and try again."


def compare_with(tool_name: str) -> str:
    return f"Compare {tool_name} with"
