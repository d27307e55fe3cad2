"""gunicorn's settings for the tracker: `gunicorn wsgi:app` reads this file from the working directory.

Each worker gets a memory limit as it starts, so one request that needs too much (a hostile upload, a
bug) fails with a MemoryError, answered by the 500 page, instead of taking the machine. The limit is
the soft RLIMIT_AS (address space, which is more than resident memory: a worker idles at about
300 MB of it), from TRACKER_WORKER_MEMORY_MB; 0 sets none. The hard limit is left as it was, so the
PDF renderer's child process can still set its own (TRACKER_PDF_MEMORY_MB, tracker/exports/pdf_process.py).
Workers are also replaced after a number of requests, and stopped when a request takes too long.
Settings given on the command line win over these. docs/security.md, "Memory", says more.
"""

import os
import resource

# longer than the PDF renderer's own limit (TRACKER_PDF_TIMEOUT_SECONDS, 120), so it is that limit that speaks
timeout = int(os.environ.get("TRACKER_WORKER_TIMEOUT_SECONDS", "150"))
graceful_timeout = 30
max_requests = int(os.environ.get("TRACKER_WORKER_MAX_REQUESTS", "1000"))  # memory a worker kept goes back
max_requests_jitter = 100  # so the workers are not all replaced at once

MEMORY_MB = 1024

# the access log (--access-logfile) never holds an API token: Power BI sends one as ?key=, which this logger
# class writes as key=[redacted] in every part of the log line (tracker/api/logs.py, docs/api.md)
logger_class = "tracker.api.logs.RedactingLogger"


def worker_memory_limit(environ=os.environ) -> int | None:
    """The bytes of address space each worker may use, or None for no limit."""
    megabytes = int(environ.get("TRACKER_WORKER_MEMORY_MB", str(MEMORY_MB)))
    return megabytes * 1024 * 1024 if megabytes > 0 else None


def post_fork(server, worker) -> None:
    """In each new worker, before it loads a request: cap its memory."""
    limit = worker_memory_limit()
    if limit is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(
            resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard)
        )
        worker.log.info(
            "worker %s: memory limited to %s MB (TRACKER_WORKER_MEMORY_MB)", worker.pid, limit // 1024 // 1024
        )
