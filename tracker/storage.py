"""Where files live: under TRACKER_STORAGE_DIR, named by the SHA-256 of their content, never by user input."""

import errno
import hashlib
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import magic
from flask import current_app

PENDING = "pending"
FILES = "files"
TMP = "tmp"
SNIFF_BYTES = 8 * 1024
MAX_FILENAME = 120
_TOKEN = re.compile(r"^[0-9a-f]{64}\.(csv|xlsx|ods)$")
_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}")
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

# The one list of document types evidence may be, by the name's extension: a file is an allowed document
# when its extension is here and its content, sniffed as store_stream sniffs it (`sniff_type`), is one of
# the types listed for that extension (`is_allowed_document`). Uploads are refused otherwise, the evidence
# pack packs only these, and `flask storage check` reports stored files that are not.
DOCUMENT_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "doc": frozenset({"application/msword"}),
    "docx": frozenset({DOCX}),
    "xls": frozenset({"application/vnd.ms-excel"}),
    "xlsx": frozenset({XLSX}),
    "ppt": frozenset({"application/vnd.ms-powerpoint"}),
    "pptx": frozenset({PPTX}),
    "odt": frozenset({ODT}),
    "ods": frozenset({ODS}),
    "odp": frozenset({ODP}),
    "png": frozenset({"image/png"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "csv": frozenset({"text/csv"}),
    "txt": frozenset({"text/plain"}),
    "eml": frozenset(
        {"message/rfc822", "text/plain"}
    ),  # libmagic calls an email starting with other headers text
    "msg": frozenset({"application/vnd.ms-outlook"}),
}

EMPTY = "The selected file is empty."
NOT_ALLOWED = (
    "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG file, "
    "or an email (.eml or .msg), and its name must end as its type does (like report.pdf). "
    "Scripts, programs and web pages cannot be evidence."
)
MISSING = "The file is missing from storage."
OUT_OF_SPACE = "The file could not be stored because the server is out of space. Nothing was saved."
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}

# What libmagic may say, from the first 8 KiB alone, about a legacy Office file.
_OLE_GUESSES = {
    "application/x-ole-storage",
    "application/CDFV2",
    "application/CDFV2-corrupt",
    "application/vnd.ms-office",
}
_OLE_BY_EXTENSION = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_OOXML_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
# An Office document has at most a few thousand parts; a bigger directory is refused unread.
_MAX_ZIP_ENTRIES = 10_000
_MAX_ZIP_DIRECTORY = 4 * 1024 * 1024


class StorageError(Exception):
    """A file could not be stored or read; the message is shown to the user."""


class StorageFull(StorageError):
    """The storage folder's file system has no room left: nothing of the file was kept (a 507,
    not the person's fault)."""


@contextmanager
def _refused_when_full() -> Iterator[None]:
    """Turn the file system's 'no space left' (or 'quota exceeded') into StorageFull,
    with a message for the person."""
    try:
        yield
    except OSError as error:
        if error.errno in _NO_SPACE:
            raise StorageFull(OUT_OF_SPACE) from error
        raise


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size_bytes: int
    content_type: str
    filename: str
    created: bool  # False when the same content was already stored


def root() -> Path:
    path = Path(current_app.config["TRACKER_STORAGE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_filename(name: str) -> str:
    """A name safe to show and to offer for download; the file itself is stored under its hash."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = re.sub(r"_+", "_", _UNSAFE.sub("_", name))
    name = re.sub(r" +", " ", name).lstrip(". ").rstrip()
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[: MAX_FILENAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_FILENAME].rstrip()
    return name or "file"


def store_stream(
    stream: BinaryIO, filename: str, max_bytes: int, chunk_size: int = 1024 * 1024
) -> StoredFile:
    """Store an upload under the hash of its content, or refuse it with a StorageError.

    The stream is copied in chunks to a temporary file beside the final one, so a refused,
    failed or interrupted upload leaves nothing behind and a stored file is always whole.
    """
    name = clean_filename(filename)
    with _refused_when_full():
        folder = root() / TMP
        folder.mkdir(exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix="upload-")
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                sha256, size, head = _copy(stream, out, max_bytes, chunk_size)
            content_type = _recognise(head, temp, name)
            key = f"{sha256[:2]}/{sha256}"
            created = _place(temp, root() / FILES / key)
            return StoredFile(key, sha256, size, content_type, name, created)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


def _copy(stream: BinaryIO, out: BinaryIO, max_bytes: int, chunk_size: int) -> tuple[str, int, bytes]:
    """Copy and hash the stream, reading at most one byte past the limit; returns (sha256, size, head)."""
    digest = hashlib.sha256()
    size, head = 0, b""
    while chunk := stream.read(min(chunk_size, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            raise StorageError(f"The file must be smaller than {_megabytes(max_bytes)} MB.")
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        out.write(chunk)
    if size == 0:
        raise StorageError(EMPTY)
    out.flush()
    os.fsync(out.fileno())
    return digest.hexdigest(), size, head


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes.is_integer() or megabytes >= 10 else f"{megabytes:.1f}"


def _recognise(head: bytes, path: Path, name: str) -> str:
    """The file's type from its content, if it is an allowed document by content and extension together,
    or a StorageError."""
    content_type = sniff_type(head, name, path)
    if not _allowed_as(name, content_type):
        raise StorageError(NOT_ALLOWED)
    return content_type


def sniff_type(head: bytes, name: str, path: Path | None = None) -> str:
    """A file's type from its first bytes (SNIFF_BYTES of them), as libmagic reads them. Given the file's
    path, a zip is told by its list of parts and a legacy Office file by its whole directory; the name only
    tells CSV from text and, for an Office file libmagic cannot name, which Office file it is."""
    content_type = magic.from_buffer(head, mime=True)
    if path is not None and head.startswith(
        b"PK\x03\x04"
    ):  # libmagic's guess for a zip depends on the order of its parts
        content_type = _zip_type(path)
    elif path is not None and content_type in _OLE_GUESSES:
        content_type = _ole_type(path, name)
    if content_type == "text/plain" and name.lower().endswith(".csv"):
        content_type = "text/csv"
    return content_type


def is_allowed_document(name: str, head: bytes, path: Path | None = None) -> bool:
    """Whether a file is an allowed document (DOCUMENT_TYPES), by its name's extension and its content
    together: a program renamed report.pdf, a script or web page under any name, and a PDF named page.html are
    not. `head` is the file's first SNIFF_BYTES; give `path` too where the file can be read,
    for zips and old Office files."""
    return bool(head) and _allowed_as(name, sniff_type(head, name, path))


def _allowed_as(name: str, content_type: str) -> bool:
    """Whether content of this type may carry this name's extension."""
    stem, dot, extension = name.rpartition(".")
    allowed = DOCUMENT_TYPES.get(extension.lower()) if dot and stem else None
    return allowed is not None and content_type in allowed


def _zip_type(path: Path) -> str:
    """Tell Office Open XML and OpenDocument files from other zips by their part names alone."""
    if not _small_zip_directory(path):
        return "application/zip"
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                if declared in (ODT, ODS, ODP):
                    return declared
            if "[Content_Types].xml" in names and not any(n.endswith("vbaProject.bin") for n in names):
                for folder, content_type in _OOXML_FOLDERS:
                    if any(n.startswith(folder) for n in names):
                        return content_type
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        pass
    return "application/zip"


def _small_zip_directory(path: Path) -> bool:
    """Whether the zip's central directory is small enough to read (a zip bomb's may not be)."""
    size = path.stat().st_size
    with path.open("rb") as file:
        file.seek(max(0, size - 22 - 65535))
        tail = file.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return False
    entries, directory_size = struct.unpack("<H4xI", tail[end + 10 : end + 20])
    return entries <= _MAX_ZIP_ENTRIES and directory_size <= _MAX_ZIP_DIRECTORY


def _ole_type(path: Path, name: str) -> str:
    """Legacy Office files keep their directory anywhere in the file: let libmagic read all of it."""
    content_type = magic.from_file(str(path), mime=True)
    if content_type == "application/vnd.ms-office":
        content_type = _OLE_BY_EXTENSION.get(name.rpartition(".")[2].lower(), content_type)
    return content_type


def _place(temp: Path, final: Path) -> bool:
    """Move the whole, synced temp file to its final name; False when that content was already there."""
    if final.exists():
        temp.unlink()
        return False
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, final)
    _sync_folder(final.parent)
    return True


def _sync_folder(folder: Path) -> None:
    """Make the new name itself durable (POSIX); where folders cannot be opened, rely on the OS."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def path_of(key: str) -> Path:
    """The file's path; a key that is not exactly two hex digits, a slash and a SHA-256 is refused."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise StorageError(MISSING)
    return root() / FILES / key


def open_stored(key: str) -> BinaryIO:
    try:
        return path_of(key).open("rb")
    except FileNotFoundError:
        raise StorageError(MISSING) from None


def remove_stored(key: str) -> None:
    """Undo a file this request created (created=True) when its database transaction failed.

    The caller must first make sure no other row refers to the same content.
    """
    path_of(key).unlink(missing_ok=True)


def stored_keys() -> Iterator[str]:
    """Every file under the files folder, as a key-like path, including any with a malformed name."""
    folder = root() / FILES
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield path.relative_to(folder).as_posix()


def hash_file(path: Path, chunk_size: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def keep_pending(content: bytes, suffix: str) -> str:
    """Keep an uploaded file between its preview and its confirmation; returns its token."""
    token = f"{hashlib.sha256(content).hexdigest()}.{suffix}"
    with _refused_when_full():
        folder = root() / PENDING
        folder.mkdir(exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix="pending-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temp_name, folder / token)  # a kept file is whole or absent, never cut short
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    return token


def read_pending(token: str) -> bytes | None:
    """The kept file, or None when the token is malformed or the file has gone."""
    if not _TOKEN.match(token or ""):
        return None
    path = root() / PENDING / token
    return path.read_bytes() if path.is_file() else None


def discard_pending(token: str) -> None:
    if _TOKEN.match(token or ""):
        (root() / PENDING / token).unlink(missing_ok=True)
