"""The task list: a consultation's questions grouped into sections, each a task with a
status, plus confidentiality, supporting documents and "check and submit".

Without sections the whole consultation is one task. Questions not in any section of a
sectioned consultation form a first task of their own, so none is ever unreachable.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import Answer, Consultation, Question, QuestionKind, Response, User

WHOLE_CONSULTATION = "Answer the questions"
UNSECTIONED = "General questions"


class TaskStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def params(self) -> dict:
        """The GOV.UK task list's status: plain text when completed, else a tag."""
        if self is TaskStatus.completed:
            return {"text": self.label}
        colour = "govuk-tag--blue" if self is TaskStatus.not_started else "govuk-tag--light-blue"
        return {"tag": {"text": self.label, "classes": colour}}


@dataclass(frozen=True)
class Group:
    """A section (or the whole consultation) as one task."""

    number: int  # 1-based, as shown in the URL of the section
    title: str
    questions: list[Question]


@dataclass(frozen=True)
class SectionTask:
    """One group's task, as the task list shows it."""

    group: Group
    status: TaskStatus
    first_question: Question  # where its link goes: the first question still to answer
    last_answer: Answer | None  # the latest saved answer in the section


def groups(consultation: Consultation) -> list[Group]:
    """The consultation's questions as tasks, in the order they are answered."""
    questions = consultation.questions
    if not consultation.sections:
        return [Group(1, WHOLE_CONSULTATION, list(questions))] if questions else []
    loose = [q for q in questions if q.section_id is None]
    found = [(UNSECTIONED, loose)] if loose else []
    found += [
        (section.title, [q for q in questions if q.section_id == section.id])
        for section in consultation.sections
    ]
    return [
        Group(number, title, qs)
        for number, (title, qs) in enumerate(((t, qs) for t, qs in found if qs), start=1)
    ]


def group_of(consultation: Consultation, question: Question) -> Group:
    """The task a question belongs to."""
    return next(g for g in groups(consultation) if question in g.questions)


def is_answered(question: Question, answer: Answer | None) -> bool:
    """Whether an answer gives what the question asks for (rationale aside): a choice the
    question no longer offers does not count."""
    if answer is None:
        return False
    if question.kind is QuestionKind.text:
        return bool(answer.text)
    return any(choice in question.options for choice in answer.choices)


def no_longer_offered(question: Question, answer: Answer | None) -> list[str]:
    """Choices saved in ``answer`` that ``question`` no longer offers: SECAS may change a
    question's options while responses to it are drafts."""
    if answer is None or question.kind is QuestionKind.text:
        return []
    return [choice for choice in answer.choices if choice not in question.options]


def needs_answer(question: Question, answer: Answer | None) -> bool:
    """Whether the respondent still has to deal with a question: never saved, required
    and unanswered, or saved with a choice it no longer offers."""
    return (
        answer is None
        or (question.required and not is_answered(question, answer))
        or bool(no_longer_offered(question, answer))
    )


def section_tasks(consultation: Consultation, response: Response | None) -> list[SectionTask]:
    """Every group with its status: not started until something is saved in it, completed
    once no question in it needs an answer (``needs_answer``)."""
    answers = {a.question_id: a for a in response.answers} if response else {}
    tasks = []
    for group in groups(consultation):
        saved = [answers[q.id] for q in group.questions if q.id in answers]
        todo = [q for q in group.questions if needs_answer(q, answers.get(q.id))]
        if not saved:
            status = TaskStatus.not_started
        elif todo:
            status = TaskStatus.in_progress
        else:
            status = TaskStatus.completed
        last = max(saved, key=lambda a: a.updated_at, default=None)
        tasks.append(SectionTask(group, status, (todo or group.questions)[0], last))
    return tasks


def editors(session: Session, response: Response | None) -> dict[int, User]:
    """The people who last changed the response or one of its answers, by id."""
    if response is None:
        return {}
    ids = {a.updated_by_id for a in response.answers} | {response.updated_by_id}
    ids.discard(None)
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


@dataclass(frozen=True)
class Edit:
    """Who last changed something, and when."""

    name: str
    at: datetime


def last_edit(answer: Answer | None, people: dict[int, User], me: int) -> Edit | None:
    """Who last saved this answer ("you" when it was the user ``me``), and when."""
    if answer is None:
        return None
    return Edit(who(answer.updated_by_id, people, me), answer.updated_at)


def who(user_id: int | None, people: dict[int, User], me: int) -> str:
    """Who changed something, as the user ``me`` reads it: "you", or a colleague's name."""
    return as_told(people.get(user_id) if user_id is not None else None, me, "Someone")


def as_told(person: User | None, me: int, unknown: str) -> str:
    """``person``, as the user ``me`` is told of them: "you", their name, or ``unknown``
    when no one is known."""
    if person is not None and person.id == me:
        return "you"
    return person.name if person is not None else unknown
