"""The ceiling: a minimal Flask app served with the same gunicorn settings as Consult."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The least work a Flask page can do."""
    return "hello"
