"""The consultation builder: consultations, sections, questions, documents, preview."""

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from consult.admin import builder_conflicts as conflicts
from consult.admin import builder_service as builder
from consult.admin import documents
from consult.admin.builder_conflicts import Difference
from consult.admin.forms import (
    QUESTION_KIND_LABELS,
    ConfirmForm,
    DetailsForm,
    DocumentForm,
    DuplicateForm,
    QuestionDetailsForm,
    SectionForm,
)
from consult.auth.guards import role_required
from consult.consultations import service as consultations
from consult.db import get_session, utcnow
from consult.errors import InvalidInput, QuestionsLocked, StaleEdit
from consult.models import Consultation, ConsultationKind, Question, QuestionKind, Role
from consult.responses import forms as response_forms
from consult.responses.service import answer_text

bp = Blueprint("builder", __name__, url_prefix="/admin/build")


@bp.before_request
@role_required(Role.secas)
def _secas_only() -> None:
    """Every builder page is for SECAS alone."""


def _load(reference: str) -> tuple[Session, Consultation]:
    session = get_session()
    return session, consultations.get_by_reference(session, reference, include_drafts=True)


def _attempt(session: Session, change: Callable[[], object]) -> str | None:
    """Run a service call and commit; a refusal rolls back and returns its message."""
    problem = _attempt_problem(session, change)
    return None if problem is None else str(problem)


Refusal = InvalidInput | QuestionsLocked | StaleEdit


def _attempt_problem(session: Session, change: Callable[[], object]) -> Refusal | None:
    """Run a service call and commit; a refusal rolls back and is returned."""
    try:
        change()
    except (InvalidInput, QuestionsLocked, StaleEdit) as problem:
        session.rollback()
        return problem
    session.commit()
    return None


def _show(form, problem: Refusal, default) -> None:
    """Put a refusal's message on the field it names, else on ``default``."""
    named = getattr(problem, "field", None)
    field = form[named] if named and named in form else default
    field.errors = [*field.errors, str(problem)]


def _refusal(
    form,
    problem: Refusal,
    default,
    saved_now: Callable[[], list[Difference]],
    version: Callable[[], str],
) -> list[Difference] | None:
    """Show a refused save on the form. After a colleague's change (StaleEdit), return
    what is saved now, for the page to show beside what was typed, and let the page carry
    the version saved now, so that saving again, having seen it, goes through."""
    if not isinstance(problem, StaleEdit):
        _show(form, problem, default)
        return None
    differences = saved_now()  # read afresh: the rollback expired what the request read
    form.version.data = version()
    field = form[differences[0].field] if differences else default
    field.errors = [*field.errors, str(problem)]
    return differences


def _overview(reference: str) -> str:
    return url_for("builder.overview", reference=reference)


# Consultations


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a draft consultation."""
    session = get_session()
    form = DetailsForm()
    if request.method == "GET":
        form.kind.data = ConsultationKind.panel_consultation.value
    if form.validate_on_submit():
        created: list[Consultation] = []
        details = _details(form)
        error = _attempt_problem(
            session,
            lambda: created.append(
                builder.create_consultation(session, details, utcnow(), current_user.id)
            ),
        )
        if error is None:
            flash(f"{details.reference} is created as a draft. Now add its questions.", "success")
            return redirect(_overview(details.reference))
        _show(form, error, form.reference)
    return render_template("admin/builder/details.html", form=form, consultation=None)


def _details(form: DetailsForm) -> builder.ConsultationDetails:
    return builder.ConsultationDetails(
        reference=form.reference.data.strip(),
        title=form.title.data.strip(),
        kind=ConsultationKind(form.kind.data),
        modification=(form.modification.data or "").strip() or None,
        summary=(form.summary.data or "").replace("\r\n", "\n"),
        opens_at=form.opens_at(),
        closes_at=form.closes_at(),
    )


@bp.get("/<reference>")
def overview(reference: str):
    """Everything about one consultation, with links to change each part."""
    session, consultation = _load(reference)
    return render_template(
        "admin/builder/overview.html",
        consultation=consultation,
        status=consultation.status_at(utcnow()),
        locked=builder.questions_locked(session, consultation),
        locked_message=builder.LOCKED_MESSAGE,
        form=ConfirmForm(),
    )


@bp.route("/<reference>/details", methods=["GET", "POST"])
def details(reference: str):
    """Change the consultation's details."""
    session, consultation = _load(reference)
    form = DetailsForm(obj=consultation if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = consultation.kind.value
        form.show_dates(consultation.opens_at, consultation.closes_at)
        form.version.data = builder.details_version(consultation)
    conflict = None
    if form.validate_on_submit():
        new_details = _details(form)
        error = _attempt_problem(
            session,
            lambda: builder.update_details(
                session,
                consultation,
                new_details,
                utcnow(),
                current_user.id,
                expected_version=form.version.data or "",
            ),
        )
        if error is None:
            flash("The details are saved.", "success")
            return redirect(_overview(new_details.reference))
        conflict = _refusal(
            form,
            error,
            form.reference,
            lambda: conflicts.details(consultation, new_details),
            lambda: builder.details_version(consultation),
        )
    return render_template(
        "admin/builder/details.html", form=form, consultation=consultation, conflict=conflict
    )


@bp.route("/duplicate", methods=["GET", "POST"])
def duplicate():
    """Copy an earlier consultation's summary, sections and questions into a new draft."""
    session = get_session()
    everything = consultations.list_all(session)
    form = DuplicateForm()
    form.source.choices = [("", "Choose a consultation")] + [
        (c.reference, f"{c.reference}: {c.title}") for c in everything
    ]
    if request.method == "GET" and request.args.get("from"):
        form.source.data = request.args["from"]
    if form.validate_on_submit():
        source = next((c for c in everything if c.reference == form.source.data), None)
        if source is None:
            form.source.errors.append("Select the consultation to copy")
        else:
            error = _duplicate(session, source, form)
            if error is None:
                flash(
                    f"{form.reference.data.strip()} is a new draft copied from {source.reference}.",
                    "success",
                )
                return redirect(_overview(form.reference.data.strip()))
            _show(form, error, form.reference)
    return render_template("admin/builder/duplicate.html", form=form)


def _duplicate(session: Session, source: Consultation, form: DuplicateForm) -> Refusal | None:
    details = builder.ConsultationDetails(
        reference=form.reference.data.strip(),
        title=form.title.data.strip(),
        kind=source.kind,
        modification=source.modification,
        summary=source.summary,
        opens_at=form.opens_at(),
        closes_at=form.closes_at(),
    )
    return _attempt_problem(
        session, lambda: builder.duplicate(session, source, details, utcnow(), current_user.id)
    )


# Sections


@bp.route("/<reference>/sections/new", methods=["GET", "POST"])
def new_section(reference: str):
    """Add a section."""
    session, consultation = _load(reference)
    form = SectionForm()
    if form.validate_on_submit():
        error = _attempt_problem(
            session,
            lambda: builder.add_section(session, consultation, form.title.data, current_user.id),
        )
        if error is None:
            flash(f"Section “{form.title.data.strip()}” is added.", "success")
            return redirect(_overview(reference))
        _show(form, error, form.title)
    return _section_page(session, consultation, form, None)


def _section_page(session: Session, consultation: Consultation, form, section, conflict=None):
    return render_template(
        "admin/builder/section.html",
        consultation=consultation,
        form=form,
        section=section,
        locked=builder.questions_locked(session, consultation),
        locked_message=builder.LOCKED_MESSAGE,
        conflict=conflict,
    )


@bp.route("/<reference>/sections/<int:section_id>", methods=["GET", "POST"])
def edit_section(reference: str, section_id: int):
    """Rename a section."""
    session, consultation = _load(reference)
    section = builder.find_section(consultation, section_id)
    form = SectionForm(obj=section if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = builder.section_version(section)
    conflict = None
    if form.validate_on_submit():
        error = _attempt_problem(
            session,
            lambda: builder.rename_section(
                session,
                consultation,
                section,
                form.title.data,
                current_user.id,
                expected_version=form.version.data or "",
            ),
        )
        if error is None:
            flash("The section is renamed.", "success")
            return redirect(_overview(reference))
        conflict = _refusal(
            form,
            error,
            form.title,
            lambda: conflicts.section(section, form.title.data),
            lambda: builder.section_version(section),
        )
    return _section_page(session, consultation, form, section, conflict)


@bp.post("/<reference>/sections/<int:section_id>/move")
def move_section(reference: str, section_id: int):
    """Move a section up or down."""
    session, consultation = _load(reference)
    section = builder.find_section(consultation, section_id)
    direction = request.form.get("direction", "")
    return _after_move(
        session,
        reference,
        lambda: builder.move_section(session, consultation, section, direction, current_user.id),
        lambda: _now_at(f"Section “{section.title}”", "section", section, consultation.sections),
    )


def _after_move(
    session: Session, reference: str, change: Callable[[], object], moved: Callable[[], str]
):
    """Make the move; the banner (which takes focus) says where the item is now."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(_overview(reference))
    error = _attempt(session, change)
    flash(error or moved(), "error" if error else "success")
    return redirect(_overview(reference))


def _now_at(name: str, noun: str, item: object, items: list) -> str:
    """Where a moved item is now: 'Question q5 is now question 4 of 6.'"""
    return f"{name} is now {noun} {items.index(item) + 1} of {len(items)}."


@bp.route("/<reference>/sections/<int:section_id>/delete", methods=["GET", "POST"])
def delete_section(reference: str, section_id: int):
    """Confirm, then delete a section (its questions stay)."""
    session, consultation = _load(reference)
    section = builder.find_section(consultation, section_id)
    return _confirm_delete(
        session,
        consultation,
        heading=f"Delete the section “{section.title}”?",
        explanation="Its questions stay in the consultation, outside any section.",
        change=lambda: builder.delete_section(session, consultation, section, current_user.id),
        done="The section is deleted.",
        when_locked=f"The section “{section.title}” cannot be deleted",
    )


def _confirm_delete(session, consultation, *, heading, explanation, change, done, when_locked=None):
    """The confirmation page, then the deletion. ``when_locked``, for what the questions'
    lock covers, is the heading shown instead, with why and no button, once it applies."""
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        error = _attempt(session, change)
        if error is None:
            flash(done, "success")
            return redirect(_overview(consultation.reference))
    if when_locked and builder.questions_locked(session, consultation):
        return render_template(
            "admin/confirm.html",
            consultation=consultation,
            heading=when_locked,
            explanation=builder.LOCKED_MESSAGE,
            error=error,
            has_errors=error is not None,
        )
    return render_template(
        "admin/builder/delete.html",
        consultation=consultation,
        heading=heading,
        explanation=explanation,
        form=form,
        error=error,
        has_errors=error is not None,
    )


# Questions


def _question_form(consultation: Consultation, question: Question | None) -> QuestionDetailsForm:
    form = QuestionDetailsForm()
    form.section.choices = [("", "No section")] + [
        (str(s.id), s.title) for s in consultation.sections
    ]
    if request.method == "GET":
        _fill_question_form(form, question)
    return form


def _fill_question_form(form: QuestionDetailsForm, question: Question | None) -> None:
    if question is None:
        form.kind.data = QuestionKind.single_choice.value
        form.required.data = "yes"
        return
    form.kind.data = question.kind.value
    form.text.data = question.text
    form.hint.data = question.hint or ""
    form.options.data = "\n".join(question.options)
    form.rationale_prompt.data = question.rationale_prompt or ""
    form.required.data = "yes" if question.required else "no"
    form.max_length.data = str(question.max_length) if question.max_length else ""
    form.section.data = str(question.section_id) if question.section_id else ""


def _question_details(form: QuestionDetailsForm) -> builder.QuestionDetails:
    kind = QuestionKind(form.kind.data) if form.kind.data in set(QuestionKind) else None
    if kind is None:
        raise InvalidInput("Select the type of answer")
    limit = (form.max_length.data or "").strip()
    return builder.QuestionDetails(
        kind=kind,
        text=form.text.data.strip(),
        hint=(form.hint.data or "").strip() or None,
        options=form.option_list(),
        rationale_prompt=(form.rationale_prompt.data or "").strip() or None,
        required=form.required.data == "yes",
        max_length=int(limit) if limit else None,
        section_id=int(form.section.data) if form.section.data else None,
    )


@bp.route("/<reference>/questions/new", methods=["GET", "POST"])
def new_question(reference: str):
    """Add a question."""
    session, consultation = _load(reference)
    form = _question_form(consultation, None)
    if form.validate_on_submit():
        error = _attempt_problem(
            session,
            lambda: builder.add_question(
                session, consultation, _question_details(form), current_user.id
            ),
        )
        if error is None:
            flash("The question is added.", "success")
            return redirect(_overview(reference))
        _show(form, error, form.text)
    return _question_page(session, consultation, form, None)


def _question_page(session, consultation, form, question, conflict=None):
    return render_template(
        "admin/builder/question.html",
        consultation=consultation,
        form=form,
        question=question,
        locked=builder.questions_locked(session, consultation),
        locked_message=builder.LOCKED_MESSAGE,
        conflict=conflict,
        question_kinds=QUESTION_KIND_LABELS,
    )


@bp.route("/<reference>/questions/<key>", methods=["GET", "POST"])
def edit_question(reference: str, key: str):
    """Change a question; its key stays."""
    session, consultation = _load(reference)
    question = builder.find_question(consultation, key)
    form = _question_form(consultation, question)
    if request.method == "GET":
        form.version.data = builder.question_version(question)
    conflict = None
    if form.validate_on_submit():
        error = _attempt_problem(
            session,
            lambda: builder.update_question(
                session,
                consultation,
                question,
                _question_details(form),
                current_user.id,
                expected_version=form.version.data or "",
            ),
        )
        if error is None:
            flash(f"Question {key} is saved.", "success")
            return redirect(_overview(reference))
        conflict = _refusal(
            form,
            error,
            form.text,
            lambda: conflicts.question(consultation, question, _question_details(form)),
            lambda: builder.question_version(question),
        )
    return _question_page(session, consultation, form, question, conflict)


@bp.post("/<reference>/questions/<key>/move")
def move_question(reference: str, key: str):
    """Move a question up or down within its section."""
    session, consultation = _load(reference)
    question = builder.find_question(consultation, key)
    direction = request.form.get("direction", "")
    return _after_move(
        session,
        reference,
        lambda: builder.move_question(session, consultation, question, direction, current_user.id),
        lambda: _now_at(f"Question {question.key}", "question", question, consultation.questions),
    )


@bp.route("/<reference>/questions/<key>/delete", methods=["GET", "POST"])
def delete_question(reference: str, key: str):
    """Confirm, then delete a question."""
    session, consultation = _load(reference)
    question = builder.find_question(consultation, key)
    return _confirm_delete(
        session,
        consultation,
        heading=f"Delete question {key}?",
        explanation=f"“{question.text}” will be removed. Its key {key} is never used again.",
        change=lambda: builder.delete_question(session, consultation, question, current_user.id),
        done=f"Question {key} is deleted.",
        when_locked=f"Question {key} cannot be deleted",
    )


# Preview


@bp.route("/<reference>/preview", methods=["GET"])
def preview_start(reference: str):
    """Start the preview at the first question."""
    _session, consultation = _load(reference)
    if not consultation.questions:
        flash("Add a question before previewing the form.", "error")
        return redirect(_overview(reference))
    return redirect(
        url_for("builder.preview", reference=reference, key=consultation.questions[0].key)
    )


@bp.route("/<reference>/preview/<key>", methods=["GET", "POST"])
def preview(reference: str, key: str):
    """A question page rendered by the respondents' own form and template; nothing is saved."""
    _session, consultation = _load(reference)
    question = builder.find_question(consultation, key)
    questions = consultation.questions
    position = questions.index(question)
    form = response_forms.question_form(question, position + 1, enforce_required=True)
    form.version.data = 0
    if form.validate_on_submit():
        if position + 1 < len(questions):
            return redirect(
                url_for("builder.preview", reference=reference, key=questions[position + 1].key)
            )
        flash("That was the last question. In the real form, confidentiality comes next.", "info")
        return redirect(_overview(reference))
    flash(f"Preview of {reference}: this is what respondents see. Nothing is saved.", "info")
    back = (
        url_for("builder.preview", reference=reference, key=questions[position - 1].key)
        if position
        else _overview(reference)
    )
    return render_template(
        "responses/question.html",
        journey=_PreviewJourney(consultation),
        question=question,
        number=position + 1,
        form=form,
        params=response_forms.answer_params(question),
        rationale_params=_rationale_params(question),
        back=back,
        saved=None,
        conflict=None,
        group=question.section,
        answer_text=answer_text,
    )


def _rationale_params(question: Question) -> dict:
    # The respondents' forms module is gaining this helper; fall back to their old default.
    builder_of_params = getattr(response_forms, "rationale_params", None)
    return builder_of_params(question) if builder_of_params else {"rows": 6}


class _PreviewJourney:
    """What the respondents' templates read from their journey, for a preview."""

    def __init__(self, consultation: Consultation) -> None:
        self.consultation = consultation

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, reference=self.consultation.reference, **values)


# Documents


def _upload() -> tuple:
    given = request.files.get("file")
    if given is None or not given.filename:
        return None, None
    return given.stream, given.filename


def _file_options() -> dict:
    return {
        "root": Path(current_app.config["UPLOAD_FOLDER"]),
        "max_bytes": int(current_app.config["MAX_UPLOAD_BYTES"]),
    }


@bp.route("/<reference>/documents/new", methods=["GET", "POST"])
def new_document(reference: str):
    """Upload a document."""
    session, consultation = _load(reference)
    form = DocumentForm()
    if form.validate_on_submit():
        problem = _attempt_problem(
            session,
            lambda: documents.add_document(
                session,
                consultation,
                form.title.data,
                _upload(),
                actor_id=current_user.id,
                **_file_options(),
            ),
        )
        if problem is None:
            flash(f"“{form.title.data.strip()}” is uploaded.", "success")
            return redirect(_overview(reference))
        _show(form, problem, form.file)
    return render_template(
        "admin/builder/document.html", consultation=consultation, form=form, document=None
    )


@bp.route("/<reference>/documents/<int:document_id>", methods=["GET", "POST"])
def edit_document(reference: str, document_id: int):
    """Retitle a document or replace its file."""
    session, consultation = _load(reference)
    document = documents.find_document(consultation, document_id)
    form = DocumentForm(obj=document if request.method == "GET" else None)
    if form.validate_on_submit():
        problem = _attempt_problem(
            session,
            lambda: documents.update_document(
                session,
                consultation,
                document,
                form.title.data,
                _upload(),
                actor_id=current_user.id,
                **_file_options(),
            ),
        )
        if problem is None:
            flash(f"“{document.title}” is saved.", "success")
            return redirect(_overview(reference))
        _show(form, problem, form.file)
    return render_template(
        "admin/builder/document.html", consultation=consultation, form=form, document=document
    )


@bp.post("/<reference>/documents/<int:document_id>/move")
def move_document(reference: str, document_id: int):
    """Move a document up or down the list."""
    session, consultation = _load(reference)
    document = documents.find_document(consultation, document_id)
    direction = request.form.get("direction", "")
    return _after_move(
        session,
        reference,
        lambda: documents.move_document(
            session, consultation, document, direction, current_user.id
        ),
        lambda: _now_at(f"“{document.title}”", "document", document, consultation.documents),
    )


@bp.route("/<reference>/documents/<int:document_id>/delete", methods=["GET", "POST"])
def delete_document(reference: str, document_id: int):
    """Confirm, then remove a document."""
    session, consultation = _load(reference)
    document = documents.find_document(consultation, document_id)
    return _confirm_delete(
        session,
        consultation,
        heading=f"Remove “{document.title}”?",
        explanation="It will no longer be listed on the consultation’s page.",
        change=lambda: documents.remove_document(session, consultation, document, current_user.id),
        done=f"“{document.title}” is removed.",
    )
