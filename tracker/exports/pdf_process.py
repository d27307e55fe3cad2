"""Turns the summary's HTML (standard input) into a tagged PDF (standard output), in a process of its own.

`tracker.exports.pdf` runs this file with `python -I`: it imports nothing of the tracker, so starting it
costs only WeasyPrint's import. Laying out a county's summary takes about 550 MB for a moment, and a
Python process keeps most of what it once took: rendered in the web worker, that worker would stay
hundreds of MB larger after every export. Rendered here, the memory goes back when this process ends.
"""

import sys

from weasyprint import HTML


def no_remote_resources(url: str, *args, **kwargs):
    """Everything the PDF needs is in its HTML: nothing is fetched, from the internet or the disk."""
    raise ValueError(f"The summary does not load outside resources ({url[:80]}).")


def main() -> None:
    html = sys.stdin.buffer.read().decode("utf-8")
    pdf = HTML(string=html, url_fetcher=no_remote_resources).write_pdf(pdf_variant="pdf/ua-1")
    sys.stdout.buffer.write(pdf)


if __name__ == "__main__":
    main()
