"""Needs surveys: a question to an audience, answers once per person (changeable until it
closes), results per option and region, as text, a bar chart and a spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import cycle
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import insert, select

from bot.db.models import Region, Survey, SurveyAnswer, SurveyRecipient, User
from bot.services.desk import Desk
from bot.services.outreach.audience import audience_json, recipients
from bot.services.people import audit
from bot.services.spreadsheet import RIGHT_TO_LEFT, Cell, Table, csv_file
from bot.services.xlsx import workbook
from conversations.languages import LANGUAGE_CODES
from conversations.outreach.ports import (
    Audience,
    SurveyResults,
    SurveyRuleError,
    SurveyText,
    SurveyView,
)
from conversations.ports import Translator
from conversations.spreadsheets import Spreadsheet

RECIPIENTS_PER_STATEMENT = 2000  # two values a row: far below the databases' parameter limits
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


class SurveyDesk(Desk):
    """The `Surveys` port for one person acting in one turn."""

    refusal = SurveyRuleError

    async def _view(self, survey: Survey) -> SurveyView:
        mine = await self.session.get(SurveyAnswer, (survey.id, self.actor_user_id))
        return SurveyView(
            id=survey.id,
            question=survey.question,
            options=list(survey.options),
            closes_at=survey.closes_at,
            total=survey.total,
            open=self.now < survey.closes_at,
            my_option=mine.option if mine else None,
            my_text=mine.text if mine else None,
            versions={
                locale: SurveyText(text["question"], list(text["options"]))
                for locale, text in survey.versions.items()
            },
            fallback=survey.fallback,
        )

    async def create(
        self,
        question: str,
        options: Sequence[str],
        audience: Audience,
        closes_at: datetime,
        *,
        versions: Mapping[str, SurveyText] | None = None,
        fallback: str = "de",
    ) -> SurveyView:
        self._staff_only()
        if options and not 2 <= len(options) <= 8:
            raise SurveyRuleError("options")
        versions = versions or {}
        fallbacks = ("de", "en") if "en" in versions else ("de",)
        # Answers are counted by their place: every version has the same options, in order.
        if fallback not in fallbacks or any(
            locale not in LANGUAGE_CODES or locale == "de" or len(text.options) != len(options)
            for locale, text in versions.items()
        ):
            raise SurveyRuleError("versions")
        if closes_at <= self.now:
            raise SurveyRuleError("closed")
        survey = Survey(
            created_by=self.actor_user_id,
            question=question,
            options=list(options),
            versions={
                locale: {"question": text.question, "options": list(text.options)}
                for locale, text in versions.items()
            },
            fallback=fallback,
            audience=audience_json(audience),
            closes_at=closes_at,
            created_at=self.now,
        )
        self.session.add(survey)
        await self.session.flush()
        # Who is asked is fixed now: muting or moving later does not take the question back.
        people = await recipients(self.session, audience)
        invited = list(dict.fromkeys(user_id for user_id, *_ in people))
        for start in range(0, len(invited), RECIPIENTS_PER_STATEMENT):
            await self.session.execute(
                insert(SurveyRecipient).values(
                    [
                        {"survey_id": survey.id, "user_id": user_id}
                        for user_id in invited[start : start + RECIPIENTS_PER_STATEMENT]
                    ]
                )
            )
        survey.total = len(invited)
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="survey.create",
            subject=f"survey:{survey.id}",
            at=self.now,
            details={
                "audience": survey.audience,
                "total": survey.total,
                "languages": ["de", *survey.versions],
            },
        )
        return await self._view(survey)

    async def invitees(self, survey_id: int) -> Sequence[int]:
        """The people the survey was sent to, as recorded when it was created."""
        self._staff_only()
        if await self.session.get(Survey, survey_id) is None:
            raise SurveyRuleError("not_found")
        rows = await self.session.scalars(
            select(SurveyRecipient.user_id)
            .where(SurveyRecipient.survey_id == survey_id)
            .order_by(SurveyRecipient.user_id)
        )
        return rows.all()

    async def get(self, survey_id: int) -> SurveyView | None:
        """The survey as the person acting was asked it; None when it was never sent to them
        (whoever they are, staff too: the results show staff what they may see)."""
        survey = await self.session.get(Survey, survey_id)
        if survey is None or not await self._sent_to_actor(survey_id):
            return None
        return await self._view(survey)

    async def _sent_to_actor(self, survey_id: int) -> bool:
        recipient = await self.session.get(SurveyRecipient, (survey_id, self.actor_user_id))
        return recipient is not None

    async def answer(
        self, survey_id: int, *, option: int | None = None, text: str | None = None
    ) -> SurveyView:
        survey = await self.session.get(Survey, survey_id)
        if survey is None:
            raise SurveyRuleError("not_found")
        if not await self._sent_to_actor(survey_id):  # before anything else is said about it
            raise SurveyRuleError("not_invited")
        if self.now >= survey.closes_at:
            raise SurveyRuleError("closed")
        if survey.options:
            if option is None or not 0 <= option < len(survey.options):
                raise SurveyRuleError("options")
            text = None
        elif not text:
            raise SurveyRuleError("options")
        user = await self.session.get_one(User, self.actor_user_id)
        answer = await self.session.get(SurveyAnswer, (survey_id, self.actor_user_id))
        if answer is None:
            answer = SurveyAnswer(
                survey_id=survey_id, user_id=self.actor_user_id, answered_at=self.now
            )
            self.session.add(answer)
        answer.option, answer.text = option, text
        answer.region_id, answer.answered_at = user.region_id, self.now
        await self.session.flush()
        return await self._view(survey)

    async def recent(self) -> Sequence[SurveyView]:
        self._staff_only()
        rows = await self.session.scalars(select(Survey).order_by(Survey.id.desc()).limit(20))
        return [await self._view(survey) for survey in rows.all()]

    async def results(self, survey_id: int) -> SurveyResults:
        self._staff_only()
        survey = await self.session.get(Survey, survey_id)
        if survey is None:
            raise SurveyRuleError("not_found")
        rows = (
            await self.session.execute(
                select(SurveyAnswer.option, SurveyAnswer.text, Region.name)
                .outerjoin(Region, Region.id == SurveyAnswer.region_id)
                .where(SurveyAnswer.survey_id == survey_id)
                .order_by(SurveyAnswer.answered_at)
            )
        ).all()
        width = len(survey.options)
        counts = [sum(1 for option, _, _ in rows if option == i) for i in range(width)]
        regions: dict[str, list[int]] = {}
        for option, _, region in rows:
            if option is not None:
                regions.setdefault(region or "", [0] * width)[option] += 1
        return SurveyResults(
            survey=await self._view(survey),
            counts=counts,
            by_region=sorted(regions.items()),
            texts=[text for _, text, _ in rows if text],
            answered=len(rows),
        )

    async def results_spreadsheet(self, survey_id: int, t: Translator) -> Spreadsheet:
        """The answers (one row each) and the count per answer and region, in `t`'s language
        (the survey in its version of that language, else in German, whichever version people
        answered): a workbook of two sheets, and the answers as CSV for other programs."""
        _ = t.gettext
        results = await self.results(survey_id)
        _locale, text = results.survey.version(t.locale, fallback="de")
        rows = (
            await self.session.execute(
                select(SurveyAnswer, Region.name)
                .outerjoin(Region, Region.id == SurveyAnswer.region_id)
                .where(SurveyAnswer.survey_id == survey_id)
                .order_by(SurveyAnswer.answered_at)
            )
        ).all()
        options = text.options
        header = [_("Question"), _("Answer"), _("Region"), _("Answered")]
        answers: list[list[Cell]] = [
            [
                text.question,
                options[answer.option] if answer.option is not None else answer.text,
                region or _("no region"),
                answer.answered_at.astimezone(self.tz),
            ]
            for answer, region in rows
        ]
        counts = Table(
            _("Count per answer"),
            [
                _("Answer"),
                _("Total"),
                *(region or _("no region") for region, _c in results.by_region),
            ],
            [
                [option, total, *(c[index] for _r, c in results.by_region)]
                for index, (option, total) in enumerate(zip(options, results.counts, strict=True))
            ],
        )
        tables = [Table(_("Answers"), header, answers), *([counts] if options else [])]
        return Spreadsheet(
            workbook=workbook(tables, right_to_left=t.locale in RIGHT_TO_LEFT),
            csv=csv_file(header, answers),
        )

    async def results_chart(self, survey_id: int, locale: str = "de") -> bytes:
        """A horizontal bar chart (PNG) of the answers per option, each bar split by region; the
        options in `locale`'s version of the survey, else in German."""
        results = await self.results(survey_id)
        _locale, text = results.survey.version(locale, fallback="de")
        return bar_chart(text.options, results.counts, results.by_region)


# Okabe and Ito's colours, told apart with colour blindness too; grey for people without a region.
REGION_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")
NO_REGION_COLOUR = "#999999"
NO_REGION_LABEL = "–"  # a dash needs no translation


def region_colours(by_region: Sequence[tuple[str, Sequence[int]]]) -> list[str]:
    named = cycle(REGION_COLOURS)
    return [next(named) if region else NO_REGION_COLOUR for region, _ in by_region]


def region_segments(
    by_region: Sequence[tuple[str, Sequence[int]]], options: int
) -> list[list[tuple[int, int]]]:
    """Each option's bar in parts: (the region's place in `by_region`, its count), none empty."""
    return [
        [(place, counts[option]) for place, (_, counts) in enumerate(by_region) if counts[option]]
        for option in range(options)
    ]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def bar_chart(
    options: Sequence[str],
    counts: Sequence[int],
    by_region: Sequence[tuple[str, Sequence[int]]] = (),
) -> bytes:
    """One bar per option with its total; its parts coloured by region, named in a legend."""
    width, row, margin, line = 900, 56, 24, 32
    font = _font(20)
    colours = region_colours(by_region)
    legend: list[tuple[int, int, str, str]] = []  # left, line, name, colour
    left, lines = margin, 0
    for (region, _), colour in zip(by_region, colours, strict=True):
        name = region or NO_REGION_LABEL
        item = 26 + int(font.getlength(name)) + 28
        if left + item > width - margin and left > margin:
            left, lines = margin, lines + 1
        legend.append((left, lines, name, colour))
        left += item
    bars_bottom = margin + row * max(len(options), 1)
    height = bars_bottom + (margin + line * (lines + 1) if legend else 0) + margin
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    most = max([*counts, 1])
    label_width = 330
    scale = (width - label_width - margin * 2 - 60) / most
    segments = region_segments(by_region, len(options))
    for index, (option, count) in enumerate(zip(options, counts, strict=True)):
        top = margin + index * row
        label = f"{index + 1}. {option}"
        if len(label) > 28:
            label = label[:27] + "…"
        draw.text((margin, top + 14), label, fill="#222222", font=font)
        end = label_width + max(int(scale * count), 2)
        if not segments[index]:
            draw.rectangle((label_width, top + 8, end, top + row - 8), fill="#2f6f9f")
        done = 0
        for place, part in segments[index]:
            start = label_width + int(scale * done)
            done += part
            draw.rectangle(
                (start, top + 8, label_width + int(scale * done), top + row - 8),
                fill=colours[place],
                outline="white",
            )
        draw.text((end + 10, top + 14), str(count), fill="#222222", font=font)
    for left, number, name, colour in legend:
        top = bars_bottom + margin + number * line
        draw.rectangle((left, top + 6, left + 18, top + 24), fill=colour)
        draw.text((left + 26, top + 3), name, fill="#222222", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
