"""The load benchmark (``python -m loadtest``): locust against gunicorn on 127.0.0.1."""
