"""The library's shapes: the authored file formats (one msgspec Struct per kind of item), and the
snapshot document devices download, which is those items plus what publishing adds.

Every Struct forbids unknown fields so a typo in a field name is an error that names the
file and the `$.path`, never a silently ignored setting. New fields get defaults, so files
written for an older schema keep validating.
"""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar, Literal

import msgspec

Slug = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        max_length=80,
        description="a stable id: lower-case letters, digits and single hyphens",
    ),
]
Language = Annotated[
    str,
    msgspec.Meta(pattern=r"^[a-z]{2}(?:-[A-Z]{2})?$", description="a language tag such as en or nl"),
]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Tag = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]
Option = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]
OptionNumber = Annotated[int, msgspec.Meta(ge=1)]
Step = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]
Markdown = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
# Who a campaign is for (sync/enrollment.py): `all`, a team id, `role:ROLE` or `TEAM:TEAM-ROLE`.
# The pattern catches the shape; `recap content check` says which role or team role is unknown.
AUDIENCE_PATTERN = r"^(?:role:[a-z]+|[a-z0-9]+(?:-[a-z0-9]+)*(?::[a-z]+)?)$"
AudienceEntry = Annotated[
    str,
    msgspec.Meta(
        pattern=AUDIENCE_PATTERN,
        max_length=120,
        description="all, a team id (north), role:ROLE (role:manager) or TEAM:TEAM-ROLE (north:rep)",
    ),
]

# A change marker is only needed when an item that learners have already answered changes:
# "cosmetic" keeps their progress (a typo, a clearer wording), "substantive" restarts it.
ChangeKind = Literal["cosmetic", "substantive"]
RepeatMode = Literal["fsrs", "classic", "classic-long", "turbo", "lightning", "anchored"]


class Item(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields every authored item has."""

    kind: ClassVar[str] = ""
    # The field that the Markdown body of a `.md` file fills.
    body_field: ClassVar[str] = ""

    id: Slug
    change: ChangeKind | None = None


class CompetencyText(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A competency's name and description in another language."""

    name: ShortText
    description: Markdown | None = None


class Competency(Item, kw_only=True, forbid_unknown_fields=True):
    """A skill the library trains and the dashboards report on."""

    kind: ClassVar[str] = "competency"
    body_field: ClassVar[str] = "description"

    name: ShortText
    description: Markdown
    translations: dict[Language, CompetencyText] = {}


class Nugget(Item, kw_only=True, forbid_unknown_fields=True):
    """A two-minute lesson."""

    kind: ClassVar[str] = "nugget"
    body_field: ClassVar[str] = "body"

    title: ShortText
    competency: Slug
    language: Language = "en"
    minutes: Annotated[int, msgspec.Meta(ge=1, le=15)] = 2
    tags: list[Tag] = []
    translation_of: Slug | None = None
    body: Markdown


class Question(Item, kw_only=True, forbid_unknown_fields=True):
    """A scenario question: a client situation, options, and what it teaches."""

    kind: ClassVar[str] = "question"
    body_field: ClassVar[str] = "stem"

    competency: Slug
    language: Language = "en"
    difficulty: Annotated[int, msgspec.Meta(ge=1, le=3)] = 2
    stem: Markdown
    options: Annotated[list[Option], msgspec.Meta(min_length=2, max_length=5)]
    # 1 is the first option. A list when more than one option is right.
    correct: OptionNumber | Annotated[list[OptionNumber], msgspec.Meta(min_length=1)]
    explanation: Markdown
    teaching_point: Annotated[str, msgspec.Meta(min_length=1, max_length=400)]
    nugget: Slug | None = None
    tags: list[Tag] = []
    translation_of: Slug | None = None

    @property
    def correct_options(self) -> list[int]:
        """The right options as a list of 1-based numbers."""
        return [self.correct] if isinstance(self.correct, int) else list(self.correct)


class Refresher(Item, kw_only=True, forbid_unknown_fields=True):
    """A "How do I…?" card: a question-style title and a few short steps."""

    kind: ClassVar[str] = "refresher"
    body_field: ClassVar[str] = "body"

    title: ShortText
    competency: Slug
    language: Language = "en"
    steps: Annotated[list[Step], msgspec.Meta(min_length=1, max_length=12)]
    tags: list[Tag] = []
    translation_of: Slug | None = None
    body: Markdown | None = None


class Pause(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Days on which a campaign asks nothing, both included (a holiday)."""

    from_: datetime.date = msgspec.field(name="from")
    to: datetime.date


class Campaign(Item, kw_only=True, forbid_unknown_fields=True):
    """A set of questions and nuggets sent to an audience on a cadence."""

    kind: ClassVar[str] = "campaign"
    body_field: ClassVar[str] = "description"

    title: ShortText
    description: Markdown
    language: Language = "en"
    # `all`, team ids, `role:ROLE`, `TEAM:TEAM-ROLE` (sync/enrollment.py): who receives it.
    audience: Annotated[list[AudienceEntry], msgspec.Meta(min_length=1)]
    # The first day it may run. Each learner starts on max(start, the day it reaches them:
    # their first sync after it is published); without it, on the day it reaches them.
    start: datetime.date | None = None
    # The last day it sends new questions; repeats of questions already asked go on after it.
    end: datetime.date | None = None
    # Days with no questions from it at all; what falls due in a pause is asked after it.
    pauses: list[Pause] = []
    daily_cap: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    repeat: RepeatMode = "anchored"  # sync.scheduler.DEFAULT_POLICY
    questions: Annotated[list[Slug], msgspec.Meta(min_length=1)]
    nuggets: list[Slug] = []
    translation_of: Slug | None = None
    # Scheduler settings (docs/scheduler.md §4); unset means the repeat mode's default.
    desired_retention: Annotated[float, msgspec.Meta(ge=0.5, le=0.99)] | None = None
    retire_stability: Annotated[float, msgspec.Meta(gt=0, le=36500)] | None = None
    max_interval: Annotated[int, msgspec.Meta(ge=1, le=36500)] | None = None
    wrong_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | None = None
    right_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | None = None
    retire_streak: Annotated[int, msgspec.Meta(ge=0, le=10)] | None = None
    # `anchored` only (docs/scheduler.md §4.1).
    budget: Annotated[float, msgspec.Meta(ge=1, le=20)] | None = None
    end_check_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
    booster_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None
    spot_check_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] | None = None


# A rubric's scale: four levels, 1 (the behaviour is missing) to 4 (it is done well), each described.
Level = Annotated[int, msgspec.Meta(ge=1, le=4, description="a level of the rating scale, 1 to 4")]
LEVELS = (1, 2, 3, 4)
LevelText = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]


class Behaviour(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One observable behaviour of a rubric, its four levels described, and the practice that
    trains it."""

    id: Slug
    text: ShortText
    levels: Annotated[dict[Level, LevelText], msgspec.Meta(min_length=4, max_length=4)]
    questions: list[Slug] = []
    refreshers: list[Slug] = []


class Rubric(Item, kw_only=True, forbid_unknown_fields=True):
    """What a coach looks for when observing one competency: 3 to 6 behaviours, each rated 1 to 4."""

    kind: ClassVar[str] = "rubric"
    body_field: ClassVar[str] = ""

    competency: Slug
    language: Language = "en"
    translation_of: Slug | None = None
    title: ShortText
    behaviours: Annotated[list[Behaviour], msgspec.Meta(min_length=3, max_length=6)]


# A pitch prompt's time limit, in seconds: long enough to say something, short enough to watch.
MIN_TIME_LIMIT_S = 30
MAX_TIME_LIMIT_S = 180


class PitchPrompt(Item, kw_only=True, forbid_unknown_fields=True):
    """A client situation a rep answers by recording a short video pitch, judged by a coach on
    some behaviours of one rubric."""

    kind: ClassVar[str] = "pitch_prompt"
    body_field: ClassVar[str] = "situation"

    title: ShortText
    language: Language = "en"
    translation_of: Slug | None = None
    situation: Markdown
    time_limit_s: Annotated[int, msgspec.Meta(ge=MIN_TIME_LIMIT_S, le=MAX_TIME_LIMIT_S, description="seconds, 30 to 180")]
    rubric: Slug
    # The rubric's behaviours the coach judges, in the order the coach scores them.
    behaviours: Annotated[list[Slug], msgspec.Meta(min_length=1)]
    campaign: Slug | None = None
    audience: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | None = None


KINDS: dict[str, type[Item]] = {
    "competencies": Competency,
    "nuggets": Nugget,
    "questions": Question,
    "refreshers": Refresher,
    "campaigns": Campaign,
    "rubrics": Rubric,
    "pitch-prompts": PitchPrompt,
}


# ---- the snapshot document (GET /content/snapshot/{version}; docs/api.md) ----------------------
# Each entry is the authored item (server/library/schema.py) plus what publishing adds: `rev`,
# `epoch` for questions, and the rendered `<field>_html` of its Markdown fields.


class CompetencyEntry(Competency, kw_only=True, forbid_unknown_fields=True):
    rev: int
    description_html: str


class NuggetEntry(Nugget, kw_only=True, forbid_unknown_fields=True):
    rev: int
    body_html: str


class QuestionEntry(Question, kw_only=True, forbid_unknown_fields=True):
    rev: int
    epoch: int
    stem_html: str
    explanation_html: str
    # Normalised once, at publish: the right options as a sorted list (1 = first) whatever form
    # `correct` was authored in, and whether the question takes several answers (checkboxes).
    correct_options: list[int]
    multiple: bool


class RefresherEntry(Refresher, kw_only=True, forbid_unknown_fields=True):
    rev: int
    body_html: str | None = None


class CampaignEntry(Campaign, kw_only=True, forbid_unknown_fields=True):
    rev: int
    description_html: str


class RubricEntry(Rubric, kw_only=True, forbid_unknown_fields=True):
    rev: int


class PitchPromptEntry(PitchPrompt, kw_only=True, forbid_unknown_fields=True):
    rev: int
    situation_html: str


class SnapshotDocument(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The whole library at one published version (docs/api.md "The snapshot document")."""

    version: int
    published_at: str
    competencies: list[CompetencyEntry]
    nuggets: list[NuggetEntry]
    questions: list[QuestionEntry]
    refreshers: list[RefresherEntry]
    campaigns: list[CampaignEntry]
    # Versions published before rubrics existed have none.
    rubrics: list[RubricEntry] = []
    # Versions published before pitch prompts existed have none.
    pitch_prompts: list[PitchPromptEntry] = []
