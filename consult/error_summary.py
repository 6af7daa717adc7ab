"""The error summary's list of problems, as govuk-frontend-wtf makes it, but with a date's
problem linked to its first box.

govuk-frontend-wtf links each problem to its field's id, which for a date is the wrapper
around its day, month and year boxes: following the link would put focus nowhere. The
Design System links a date's problem to its first box, so focus lands where to type.
"""

from flask import Flask
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors as govuk_wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput


def wtforms_errors(form: FlaskForm, params: dict | None = None) -> dict:
    """The error summary's parameters for ``form``, each date's problem linked to its day box."""
    summary = govuk_wtforms_errors(form, params or {})
    # GovDateInput names its boxes after the field: "<name>-day", "-month", "-year".
    first_box = {
        f"#{field.id}": f"#{field.name}-day"
        for field in form
        if isinstance(field.widget, GovDateInput)
    }
    for problem in summary["errorList"]:
        problem["href"] = first_box.get(problem["href"], problem["href"])
    return summary


def init_app(app: Flask) -> None:
    """Templates' ``wtforms_errors`` is this one (register after ``WTFormsHelpers``)."""
    app.add_template_global(wtforms_errors)
