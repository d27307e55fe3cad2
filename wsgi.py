"""The WSGI entry point for flask and gunicorn."""

from tracker import create_app

app = create_app()
