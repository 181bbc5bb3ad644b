"""Images attached to messages, kept once per content under `images/<sha256>.<ext>`.

Files are written atomically (temp file, fsync, rename) before the row that names them is
committed; a file is deleted only after the COMMIT that removed its last reference (so a crash
can leave an unreferenced file, never a reference without its file). `collect_garbage()`
sweeps what crashes and abandoned drafts leave behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from grok_desktop.domain.content import DETAILS
from grok_desktop.domain.conversation import Attachment
from grok_desktop.storage.base import StoreBase
from grok_desktop.storage.errors import NotFoundError, StorageError, translate
from grok_desktop.storage.rows import attachment_from_row

MIME_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
}
_HEX = frozenset("0123456789abcdef")


def image_name(sha256: str, mime: str) -> str:
    return f"{sha256}.{MIME_EXTENSIONS.get(mime, 'img')}"


def is_sha256(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX


def write_atomic(path: Path, data: bytes) -> None:
    """Write all-or-nothing: a reader sees the old file, or the complete new one."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if os.name == "posix":
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class AttachmentOps(StoreBase):
    def add_attachment(self, data: bytes, mime: str, width: int, height: int) -> Attachment:
        """Keep an image (already encoded) and return its record; the same bytes are kept once."""
        if not mime.startswith("image/"):
            raise ValueError(f"not an image type: {mime!r}")
        sha = hashlib.sha256(data).hexdigest()
        with self._db.write() as conn:
            existing = conn.execute("SELECT * FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
            if existing is not None:
                self._ensure_file(existing["sha256"], existing["mime"], data)
                return attachment_from_row(existing)
            self._ensure_file(sha, mime, data)
            conn.execute(
                "INSERT INTO attachments (sha256, mime, width, height, bytes, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sha, mime, width, height, len(data), self._db.now_ms()),
            )
        return Attachment(sha, mime, width, height, len(data))

    def get_attachment(self, sha256: str) -> Attachment | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM attachments WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else attachment_from_row(row)

    def attachment_path(self, attachment: Attachment) -> Path:
        return self._paths.images / image_name(attachment.sha256, attachment.mime)

    def read_attachment(self, attachment: Attachment | str) -> bytes:
        """The image bytes. Raises NotFoundError when the image or its file is missing."""
        if isinstance(attachment, str):
            found = self.get_attachment(attachment)
            if found is None:
                raise NotFoundError(f"There is no image with sha256 {attachment}.")
            attachment = found
        path = self.attachment_path(attachment)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"The image file {path} is missing from the data folder.") from exc
        except OSError as exc:
            raise translate(exc, path) from exc

    def collect_garbage(self, grace: timedelta = timedelta(days=1)) -> int:
        """Remove images nothing refers to (rows and files) and stray temp files older than
        `grace`; returns how many files went. The grace period protects images added for a
        message that is still being written (a draft) and files another process just wrote."""
        cutoff_ms = self._db.now_ms() - int(grace.total_seconds() * 1000)
        with self._db.write() as conn:
            rows = conn.execute(
                "SELECT sha256, mime FROM attachments AS a WHERE created < ? AND NOT EXISTS "
                "(SELECT 1 FROM message_attachments AS ma WHERE ma.sha256 = a.sha256)",
                (cutoff_ms,),
            ).fetchall()
            conn.executemany(
                "DELETE FROM attachments WHERE sha256 = ?", [(r["sha256"],) for r in rows]
            )
            known = {
                image_name(r["sha256"], r["mime"])
                for r in conn.execute("SELECT sha256, mime FROM attachments")
            }
        removed = 0
        file_cutoff = time.time() - grace.total_seconds()  # file times are real wall time
        try:
            entries = list(self._paths.images.iterdir())
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.name in known or not entry.is_file():
                continue
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < file_cutoff:
                    entry.unlink()
                    removed += 1
        return removed

    # -- used inside other write transactions -------------------------------------------

    def _link_attachments(
        self, conn: sqlite3.Connection, message_id: str, attachments: Sequence[Attachment]
    ) -> None:
        for position, att in enumerate(attachments):
            if att.detail not in DETAILS:
                raise ValueError(f"image detail must be one of {DETAILS}, not {att.detail!r}")
            known = conn.execute(
                "SELECT 1 FROM attachments WHERE sha256 = ?", (att.sha256,)
            ).fetchone()
            if known is None:
                raise NotFoundError(
                    f"The image {att.sha256[:12]} is no longer stored; attach it again."
                )
            conn.execute(
                "INSERT INTO message_attachments (message_id, position, sha256, detail) "
                "VALUES (?, ?, ?, ?)",
                (message_id, position, att.sha256, att.detail),
            )

    def _shas_of(self, conn: sqlite3.Connection, ids_json: str) -> set[str]:
        return {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT sha256 FROM message_attachments "
                "WHERE message_id IN (SELECT value FROM json_each(?))",
                (ids_json,),
            )
        }

    def _release_attachments(self, conn: sqlite3.Connection, shas: Iterable[str]) -> None:
        """Forget images no message refers to any more; their files go after COMMIT."""
        doomed: list[Path] = []
        for sha in sorted(shas):
            row = conn.execute(
                "SELECT mime FROM attachments AS a WHERE sha256 = ? AND NOT EXISTS "
                "(SELECT 1 FROM message_attachments AS ma WHERE ma.sha256 = a.sha256)",
                (sha,),
            ).fetchone()
            if row is None:
                continue
            conn.execute("DELETE FROM attachments WHERE sha256 = ?", (sha,))
            doomed.append(self._paths.images / image_name(sha, row["mime"]))

        def unlink() -> None:
            for path in doomed:
                path.unlink(missing_ok=True)

        if doomed:
            self._db.after_commit(unlink)

    def _store_image(self, conn: sqlite3.Connection, att: Attachment, data: bytes) -> bool:
        """Make sure an image (from an import or an undo) is stored; True when it was new."""
        if hashlib.sha256(data).hexdigest() != att.sha256:
            raise StorageError(f"The image data does not match its sha256 {att.sha256[:12]}.")
        row = conn.execute("SELECT * FROM attachments WHERE sha256 = ?", (att.sha256,)).fetchone()
        if row is not None:
            self._ensure_file(row["sha256"], row["mime"], data)
            return False
        self._ensure_file(att.sha256, att.mime, data)
        conn.execute(
            "INSERT INTO attachments (sha256, mime, width, height, bytes, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (att.sha256, att.mime, att.width, att.height, len(data), self._db.now_ms()),
        )
        return True

    def _ensure_file(self, sha: str, mime: str, data: bytes) -> None:
        """Write the file unless an intact copy is there; undo the write if the transaction
        fails."""
        path = self._paths.images / image_name(sha, mime)
        try:
            if path.is_file() and path.stat().st_size == len(data):
                return
            self._paths.images.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        except OSError as exc:
            raise translate(exc, path) from exc
        self._db.on_rollback(lambda: path.unlink(missing_ok=True))
