"""Compiles one Typst template into a PDF (or a PNG of its first page), in a process of its own.

`tracker.exports.pdf` runs this file with `python -I`: it imports nothing of the tracker. It reads one
JSON object from standard input (`root`, `template`, `data`, `fonts`, `format`, `memory_mb`, `threads`),
writes the document to standard output, and ends. The memory limit is set before Typst is loaded, so a
document that would need more stops this process, never the web worker that asked for it; so is the number
of threads Typst lays out on.

Typst reads files only under `root` (the template's own folder); what people typed reaches the template
only as the JSON string `sys.inputs.data`, which the template decodes as data and never evaluates.
"""

import json
import os
import resource
import sys


def limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def limit_threads(threads: int) -> None:
    """How many threads Typst lays out on: read by its thread pool when it starts, so set before it loads."""
    os.environ["RAYON_NUM_THREADS"] = str(threads)


def main() -> None:
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    limit_memory(int(job["memory_mb"]))
    limit_threads(int(job.get("threads", 1)))
    import typst  # after the limit, so that the compiler's own memory counts against it

    compiler = typst.Compiler(root=job["root"], font_paths=job["fonts"], ignore_system_fonts=True)
    output: bytes | list[bytes] | None
    if job["format"] == "png":
        pages = compiler.compile(
            input=job["template"], format="png", ppi=job.get("ppi", 110), sys_inputs={"data": job["data"]}
        )
        output = pages[0] if isinstance(pages, list) else pages
    else:
        output = compiler.compile(
            input=job["template"],
            format="pdf",
            sys_inputs={"data": job["data"]},
            pdf_standards=["ua-1"],
            timestamp=job.get("timestamp"),
        )
    if not isinstance(output, bytes):  # given no output file, the compiler returns the document's bytes
        raise TypeError(f"Typst returned {type(output).__name__}, not a document")
    sys.stdout.buffer.write(output)


if __name__ == "__main__":
    try:
        main()
    except MemoryError:
        sys.stderr.write("the document needed more memory than the renderer is allowed\n")
        sys.exit(3)
    except Exception as error:  # noqa: BLE001 - the parent reads one line and reports it
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        sys.stderr.write(" ".join(str(message).split())[:300] + "\n")
        sys.exit(2)
