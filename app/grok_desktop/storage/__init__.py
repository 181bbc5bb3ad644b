"""Local history: SQLite repository, migrations, full-text search, image files, export/import,
data paths. No Qt here (an import-linter contract enforces it)."""

from grok_desktop.storage.errors import (
    AmbiguousIdError,
    DatabaseCorruptError,
    ImportFormatError,
    NewerDatabaseError,
    NotFoundError,
    StorageBusyError,
    StorageError,
    StorageWriteError,
)
from grok_desktop.storage.messages import CURRENT_LEAF
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.records import (
    ConversationTree,
    DeletedConversation,
    ImportResult,
    UsageRow,
)
from grok_desktop.storage.store import Store

__all__ = [
    "CURRENT_LEAF",
    "AmbiguousIdError",
    "ConversationTree",
    "DataPaths",
    "DatabaseCorruptError",
    "DeletedConversation",
    "ImportFormatError",
    "ImportResult",
    "NewerDatabaseError",
    "NotFoundError",
    "StorageBusyError",
    "StorageError",
    "StorageWriteError",
    "Store",
    "UsageRow",
]
