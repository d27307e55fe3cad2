"""Evidence file storage: only allowed types, whole files or nothing, flat memory,
and `flask storage check`."""

import hashlib
import io
import resource
import struct
import sys
import tracemalloc
import zipfile
import zlib

import pytest

from tests import factories
from tracker import storage
from tracker.evidence.models import EvidenceFile, EvidenceKind
from tracker.extensions import db
from tracker.storage import StorageError, clean_filename, open_stored, path_of, store_stream

MB = 1024 * 1024
LIMIT = 5 * MB
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
NOT_ALLOWED = storage.NOT_ALLOWED


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path, monkeypatch):
    """A storage folder of its own for each test, so 'nothing left behind' can be proved."""
    folder = tmp_path / "storage"
    monkeypatch.setitem(app.config, "TRACKER_STORAGE_DIR", str(folder))
    return folder


def files_in(folder) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def store(content: bytes, filename: str, max_bytes: int = LIMIT, **kwargs):
    return store_stream(io.BytesIO(content), filename, max_bytes, **kwargs)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def zipped(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, text, compress_type=compress)
    return buffer.getvalue()


def office(folder: str, part: str) -> bytes:
    return zipped(
        {"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", f"{folder}/{part}": "<x/>"}
    )


def opendocument(kind: str) -> bytes:
    return zipped(
        {"mimetype": f"application/vnd.oasis.opendocument.{kind}", "content.xml": "<office:document/>"}
    )


def compound_document(stream_name: str) -> bytes:
    """A legacy Office (OLE2) file whose directory lies past the first 8 KiB, as in real ones."""
    end, free, fat_sector, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    padding, directory_sector, data_sector, data_sectors = 20, 21, 22, 8

    def entry(name: str, kind: int, child: int = none, start: int = end, size: int = 0) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        fields = struct.pack("<HBBIII", len(raw), kind, 1, none, none, child) + b"\0" * 36
        return (raw.ljust(64, b"\0") + fields + struct.pack("<II", start, size)).ljust(128, b"\0")

    fat = (
        [fat_sector]
        + [free] * padding
        + [end]
        + [data_sector + i + 1 for i in range(data_sectors - 1)]
        + [end]
    )
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, directory_sector, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + b"\xff" * 432
    )
    directory = entry("Root Entry", 5, child=1) + entry(
        stream_name, 2, start=data_sector, size=512 * data_sectors
    )
    return (
        header
        + b"".join(struct.pack("<I", n) for n in fat).ljust(512, b"\xff")
        + b"\0" * 512 * padding
        + directory.ljust(512, b"\0")
        + b"x" * 512 * data_sectors
    )


# Content recorded and deduplicated


def test_records_the_sha256_and_size_of_the_bytes_it_stores(storage_dir):
    stored = store(PDF, "Board minutes.pdf")
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.size_bytes == len(PDF)
    assert stored.key == f"{stored.sha256[:2]}/{stored.sha256}"
    assert stored.content_type == "application/pdf"
    assert stored.filename == "Board minutes.pdf"
    assert stored.created is True
    with open_stored(stored.key) as file:
        assert file.read() == PDF
    assert storage.hash_file(path_of(stored.key)) == stored.sha256


def test_the_same_content_twice_is_stored_once(storage_dir):
    first = store(PDF, "minutes.pdf")
    second = store(PDF, "minutes (copy).pdf", chunk_size=7)
    assert (first.created, second.created) == (True, False)
    assert second.key == first.key and second.filename == "minutes (copy).pdf"
    assert files_in(storage_dir) == [f"files/{first.key}"]


# Allowed types, recognised from their content


@pytest.mark.parametrize(
    "content, filename, content_type",
    [
        (PDF, "report.pdf", "application/pdf"),
        (compound_document("WordDocument"), "letter.doc", "application/msword"),
        (office("word", "document.xml"), "plan.docx", storage.DOCX),
        (compound_document("Workbook"), "waiting times.xls", "application/vnd.ms-excel"),
        (office("xl", "workbook.xml"), "waiting times.xlsx", storage.XLSX),
        (office("ppt", "presentation.xml"), "board.pptx", storage.PPTX),
        (opendocument("text"), "minutes.odt", storage.ODT),
        (opendocument("spreadsheet"), "returns.ods", storage.ODS),
        (opendocument("presentation"), "slides.odp", storage.ODP),
        (
            b"reference,title,due\nA1,Autism pathway,2026-03-31\nA2,Local offer,2026-06-30\n",
            "actions.csv",
            "text/csv",
        ),
        (b"name\nann\n", "one column.csv", "text/csv"),
        (b"Notes from the parent carer forum meeting.\n", "notes.txt", "text/plain"),
        (png(), "chart.png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
    ],
)
def test_recognises_each_allowed_type_from_its_content(content, filename, content_type):
    stored = store(content, filename)
    assert stored.content_type == content_type
    assert content_type in storage.DOCUMENT_TYPES[filename.rpartition(".")[2]]


@pytest.mark.parametrize(
    "content, filename",
    [
        (EXECUTABLE, "report.pdf"),
        (ELF, "minutes.docx"),
        (b"#!/bin/sh\nrm -rf /\n", "notes.txt"),
        (b"<html><script>alert(1)</script></html>", "page.txt"),
        (zipped({"hello.txt": "hi"}), "archive.docx"),
        (
            zipped(
                {"[Content_Types].xml": "<Types/>", "word/document.xml": "<x/>", "word/vbaProject.bin": "x"}
            ),
            "macro.docx",
        ),
        (b"\x00\x01garbage" + PDF, "report.pdf"),
    ],
)
def test_refuses_anything_else_and_leaves_nothing(storage_dir, content, filename):
    with pytest.raises(StorageError) as refusal:
        store(content, filename)
    assert str(refusal.value) == NOT_ALLOWED
    assert files_in(storage_dir) == []


# Allowed documents: extension and content together (the one list, storage.DOCUMENT_TYPES)

EMAIL = (
    b"From: Sam Officer <sam@council.example>\r\nTo: board@council.example\r\nSubject: Minutes\r\n"
    b"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nThe minutes are attached.\r\n"
)


def is_allowed(content: bytes, name: str, tmp_path) -> bool:
    """As the evidence pack asks: the first 8 KiB and, for zips and old Office files,
    the whole stored file."""
    path = tmp_path / "stored"
    path.write_bytes(content)
    return storage.is_allowed_document(name, content[: storage.SNIFF_BYTES], path)


@pytest.mark.parametrize(
    "content, name",
    [
        (PDF, "report.pdf"),
        (PDF, "REPORT.PDF"),
        (compound_document("WordDocument"), "letter.doc"),
        (office("word", "document.xml"), "plan.docx"),
        (compound_document("Workbook"), "waiting times.xls"),
        (office("xl", "workbook.xml"), "waiting times.xlsx"),
        (office("ppt", "presentation.xml"), "board.pptx"),
        (opendocument("text"), "minutes.odt"),
        (opendocument("spreadsheet"), "returns.ods"),
        (opendocument("presentation"), "slides.odp"),
        (png(), "chart.png"),
        (JPEG, "photo.jpg"),
        (JPEG, "photo.jpeg"),
        (b"reference,title\nA1,Autism pathway\n", "actions.csv"),
        (b"Notes from the parent carer forum meeting.\n", "notes.txt"),
        (EMAIL, "minutes.eml"),
        (compound_document("__properties_version1.0"), "minutes.msg"),
    ],
)
def test_an_allowed_document_is_one_whose_extension_and_content_agree(content, name, tmp_path):
    assert is_allowed(content, name, tmp_path)


@pytest.mark.parametrize(
    "content, name",
    [
        (b"alert(document.cookie);\n", "helper.js"),  # text by content, a script by name
        (PDF + b"<html><script>alert(1)</script></html>", "report.html"),  # a PDF and a web page at once
        (EXECUTABLE, "report.pdf"),
        (EXECUTABLE, "setup.exe"),
        (PDF, "report.docx"),  # a real document under another type's name
        (png(), "chart.jpg"),
        (b"<html><script>alert(1)</script></html>", "page.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "chart.png"),
        (zipped({"hello.txt": "hi"}), "archive.docx"),
        (
            zipped(
                {"[Content_Types].xml": "<Types/>", "word/document.xml": "<x/>", "word/vbaProject.bin": "x"}
            ),
            "macro.docx",
        ),
        (compound_document("WordDocument"), "letter.msg"),
        (b"Notes\n", "notes"),  # no extension
        (b"Notes\n", ".txt"),
        (b"", "empty.txt"),
    ],
)
def test_anything_else_is_not_an_allowed_document(content, name, tmp_path):
    assert not is_allowed(content, name, tmp_path)


def test_the_allowed_documents_are_the_types_the_security_issue_names():
    assert set(storage.DOCUMENT_TYPES) == {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "png",
        "jpg",
        "jpeg",
        "csv",
        "txt",
        "eml",
        "msg",
    }


def test_refuses_an_empty_file_and_leaves_nothing(storage_dir):
    with pytest.raises(StorageError) as refusal:
        store(b"", "empty.pdf")
    assert str(refusal.value) == "The selected file is empty."
    assert files_in(storage_dir) == []


class EndlessStream:
    """A PDF that never ends, counting what was read from it."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size: int) -> bytes:
        self.read_bytes += size
        return (PDF * (size // len(PDF) + 1))[:size]


def test_refuses_an_oversize_file_reading_no_more_than_one_byte_past_the_limit(storage_dir):
    stream = EndlessStream()
    with pytest.raises(StorageError) as refusal:
        store_stream(stream, "huge.pdf", max_bytes=2 * MB, chunk_size=64 * 1024)
    assert str(refusal.value) == "The file must be smaller than 2 MB."
    assert stream.read_bytes == 2 * MB + 1
    assert files_in(storage_dir) == []


def test_accepts_a_file_of_exactly_the_limit():
    assert store(PDF, "exact.pdf", max_bytes=len(PDF)).size_bytes == len(PDF)


# Names


@pytest.mark.parametrize(
    "name, cleaned",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("\x00evil.pdf", "evil.pdf"),
        ("C:\\Users\\sam\\Report (final).docx", "Report (final).docx"),
        (".htaccess", "htaccess"),
        ("..", "file"),
        ("", "file"),
        ("résumé  <draft>?.pdf", "r_sum_ _draft_.pdf"),
        ("ｒｅｐｏｒｔ／..／x.pdf", "x.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("tab\tand\nnewline.txt", "tabandnewline.txt"),
    ],
)
def test_cleans_names_to_one_safe_component(name, cleaned):
    assert clean_filename(name) == cleaned


def test_caps_long_names_keeping_the_extension():
    assert clean_filename("a" * 500 + ".xlsx") == "a" * 115 + ".xlsx"
    assert clean_filename("b" * 500) == "b" * 120


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\win.ini.pdf", "\x00evil.pdf", "/" * 10 + "x" * 1000 + ".pdf"]
)
def test_a_hostile_name_never_reaches_the_file_system(storage_dir, name):
    stored = store(PDF, name)
    assert "/" not in stored.filename and "\\" not in stored.filename and len(stored.filename) <= 120
    assert files_in(storage_dir) == [f"files/{stored.key}"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\win.ini"])
def test_a_document_under_a_name_that_is_not_its_type_is_refused_and_nothing_is_kept(storage_dir, name):
    with pytest.raises(StorageError, match="its name must end as its type does"):
        store(PDF, name)
    assert [path for path in files_in(storage_dir) if path.startswith("files/")] == []


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "../" + "a" * 64,
        "ab/../../" + "c" * 56,
        "/etc/passwd",
        "AB/" + "A" * 64,
        "ab/" + "a" * 64 + "\n",
        None,
    ],
)
def test_refuses_keys_that_are_not_content_hashes(key):
    with pytest.raises(StorageError, match="The file is missing from storage."):
        open_stored(key)
    with pytest.raises(StorageError):
        path_of(key)


def test_reports_a_missing_file_in_words_a_user_can_read():
    with pytest.raises(StorageError) as missing:
        open_stored("ab/" + "ab" * 32)
    assert str(missing.value) == "The file is missing from storage."


def test_remove_stored_undoes_a_new_file(storage_dir):
    stored = store(PDF, "minutes.pdf")
    storage.remove_stored(stored.key)
    assert files_in(storage_dir) == []


# Failures part-way leave nothing


class BrokenStream:
    """A client that disconnects after two chunks."""

    def __init__(self, error: BaseException):
        self.chunks, self.error = 0, error

    def read(self, size: int) -> bytes:
        self.chunks += 1
        if self.chunks > 2:
            raise self.error
        return (PDF * (size // len(PDF) + 1))[:size]


@pytest.mark.parametrize("error", [OSError("client went away"), KeyboardInterrupt()])
def test_a_stream_that_fails_part_way_leaves_nothing(storage_dir, error):
    with pytest.raises(type(error)):
        store_stream(BrokenStream(error), "minutes.pdf", max_bytes=LIMIT, chunk_size=1024)
    assert files_in(storage_dir) == []


def test_a_failure_while_placing_the_file_leaves_nothing(storage_dir, monkeypatch):
    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr(storage.os, "replace", refuse)
    with pytest.raises(OSError):
        store(PDF, "minutes.pdf")
    assert files_in(storage_dir) == []


# Memory stays flat


class GeneratedPdf:
    """A large PDF-looking stream produced on demand, so the test itself holds one chunk at most."""

    def __init__(self, total: int, block: bytes):
        self.left, self.block = total, block

    def read(self, size: int) -> bytes:
        size = min(size, self.left, len(self.block))
        self.left -= size
        return self.block[:size]


def _max_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@pytest.mark.slow
def test_streams_a_100_mb_file_without_holding_it_in_memory(storage_dir):
    total, block = 100 * MB, (b"%PDF-1.4\n" + b"%" * (MB - 10) + b"\n")
    expected = hashlib.sha256()
    for _ in range(total // MB):
        expected.update(block)
    rss_before = _max_rss_bytes()
    tracemalloc.start()
    try:
        stored = store_stream(GeneratedPdf(total, block), "big.pdf", max_bytes=200 * MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rss_growth = _max_rss_bytes() - rss_before
    assert (stored.size_bytes, stored.sha256) == (total, expected.hexdigest())
    assert peak < 50 * MB, f"peak Python allocation {peak / MB:.1f} MB"
    assert rss_growth < 50 * MB, f"resident memory grew {rss_growth / MB:.1f} MB"
    storage.remove_stored(stored.key)


# flask storage check


def record(stored) -> EvidenceFile:
    item = factories.EvidenceFactory(kind=EvidenceKind.DOCUMENT, note=None)
    row = EvidenceFile(
        item=item,
        version=1,
        filename=stored.filename,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by=item.uploaded_by,
    )
    db.session.add(row)
    db.session.commit()
    return row


def check(runner):
    return runner.invoke(args=["storage", "check"])


@pytest.fixture
def two_files():
    return record(store(PDF, "minutes.pdf")), record(store(png(), "chart.png"))


def test_check_says_storage_is_consistent(runner, two_files):
    result = check(runner)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Storage is consistent: 2 files checked."


def test_check_names_a_file_whose_bytes_changed(runner, two_files):
    minutes, _ = two_files
    path_of(minutes.storage_key).write_bytes(PDF + b"tampered")
    result = check(runner)
    assert result.exit_code == 1
    problem, error = result.output.strip().splitlines()
    assert minutes.storage_key in problem and '"minutes.pdf"' in problem and "hash" in problem
    assert error == "Error: 1 problem found in evidence storage."


def test_check_names_a_stored_file_that_is_not_an_allowed_document(runner, two_files, storage_dir):
    """A file stored before uploads were checked by name and content together: reported,
    so it can be dealt with."""
    minutes, _ = two_files
    script = b"alert(document.cookie);\n"
    key = f"{hashlib.sha256(script).hexdigest()[:2]}/{hashlib.sha256(script).hexdigest()}"
    path_of(key).parent.mkdir(parents=True, exist_ok=True)
    path_of(key).write_bytes(script)
    row = EvidenceFile(
        item=minutes.item,
        version=2,
        filename="leaflet.js",
        content_type="text/plain",
        size_bytes=len(script),
        sha256=hashlib.sha256(script).hexdigest(),
        storage_key=key,
        uploaded_by=minutes.item.uploaded_by,
    )
    db.session.add(row)
    db.session.commit()
    result = check(runner)
    assert result.exit_code == 1
    problem, error = result.output.strip().splitlines()
    assert key in problem and '"leaflet.js"' in problem and "is not an allowed document type" in problem
    assert error == "Error: 1 problem found in evidence storage."


def test_check_names_a_missing_file(runner, two_files):
    _, chart = two_files
    path_of(chart.storage_key).unlink()
    result = check(runner)
    assert result.exit_code == 1
    problem, error = result.output.strip().splitlines()
    assert chart.storage_key in problem and "missing" in problem and '"chart.png"' in problem
    assert error == "Error: 1 problem found in evidence storage."


def test_check_names_a_file_nobody_refers_to(runner, two_files):
    stray = store(b"left over\n", "stray.txt")
    (storage.root() / "files" / "stray.bin").write_bytes(b"x")
    result = check(runner)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert [line for line in lines if "unknown" in line] == [
        f"{stray.key} is unknown: no evidence file refers to it.",
        "stray.bin is unknown: no evidence file refers to it.",
    ]
    assert lines[-1] == "Error: 2 problems found in evidence storage."


def test_check_ignores_pending_imports_and_counts_shared_content_once(runner, two_files):
    storage.keep_pending(b"reference\nA1\n", "csv")
    minutes, _ = two_files
    record(store(PDF, "minutes again.pdf"))
    result = check(runner)
    assert result.exit_code == 0, result.output
    assert "Storage is consistent: 2 files checked." in result.output
