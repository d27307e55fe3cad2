"""gunicorn settings for the load test (`-c python:loadtest.gunicorn_hooks`): each worker says when it can
answer, so the time a killed worker takes to be replaced is measured to the moment its successor
has loaded the app."""

READY = "loadtest: worker %s ready"


def post_worker_init(worker) -> None:
    worker.log.info(READY, worker.pid)
