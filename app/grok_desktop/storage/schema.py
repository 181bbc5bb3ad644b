"""The database schema, as an ordered list of migrations (`PRAGMA user_version` = last applied).

A fresh file runs every step, so the upgrade path from older versions is the path every install
takes and is tested on every run. Version 1 is the small "previous" schema kept on purpose;
version 2 is the real one. Never edit a released step: append a new one.

Conventions of the current schema:
- timestamps are INTEGER unix milliseconds (UTC);
- ids are TEXT uuids; tables indexed by FTS have an explicit `seq INTEGER PRIMARY KEY`, because
  VACUUM may renumber implicit rowids and external-content FTS tables point at the rowid;
- messages form a tree (`parent_id`); the branch shown is chosen by pointers:
  `conversations.selected_root_id` and `messages.selected_child_id`, so each fork remembers its
  own choice when the user switches back and forth;
- usage is copied into `usage_ledger` (keyed by message id, no foreign key), so the money spent
  stays counted after a conversation is deleted, and re-importing it does not count it twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from grok_desktop.domain.titles import DEFAULT_TITLE


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        # executescript() would COMMIT first; run statement by statement instead.
        for statement in _split(sql):
            conn.execute(statement)

    return run


def _split(sql: str) -> list[str]:
    """Split a script on `;` at line ends, keeping CREATE TRIGGER bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    in_trigger = False
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        if stripped.upper().startswith("CREATE TRIGGER"):
            in_trigger = True
        if stripped.endswith(";") and (not in_trigger or stripped.upper() == "END;"):
            statements.append("\n".join(current))
            current = []
            in_trigger = False
    if current:
        statements.append("\n".join(current))
    return statements


V1_SQL = """
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0,
    model TEXT,
    system_prompt TEXT
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id TEXT,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'complete',
    created INTEGER NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, created);
"""

_TOKENIZE = "unicode61 remove_diacritics 2"

V2_SQL = f"""
CREATE TABLE conversations_v2 (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    title_auto INTEGER NOT NULL DEFAULT 1 CHECK (title_auto IN (0, 1)),
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    model TEXT,
    system_prompt TEXT,
    selected_root_id TEXT
);
INSERT INTO conversations_v2 (id, title, title_auto, created, updated, pinned, model,
                              system_prompt)
    SELECT id, title, title = '{DEFAULT_TITLE}', created, updated, pinned <> 0, model,
           system_prompt
    FROM conversations ORDER BY created, id;

CREATE TABLE messages_v2 (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id TEXT REFERENCES messages(id) DEFERRABLE INITIALLY DEFERRED,
    selected_child_id TEXT,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '',
    model TEXT,
    status TEXT NOT NULL DEFAULT 'complete'
        CHECK (status IN ('complete', 'streaming', 'interrupted', 'error', 'cancelled')),
    error TEXT,
    created INTEGER NOT NULL,
    prompt_tokens INTEGER,
    cached_tokens INTEGER,
    completion_tokens INTEGER,
    reasoning_tokens INTEGER,
    image_tokens INTEGER,
    total_tokens INTEGER,
    cost_ticks INTEGER,
    cost_usd TEXT,
    cost_source TEXT NOT NULL DEFAULT 'unknown',
    writer TEXT
);
INSERT INTO messages_v2 (id, conversation_id, parent_id, role, content, status, created)
    SELECT id, conversation_id, parent_id, role, content,
           CASE WHEN status IN ('complete', 'streaming', 'interrupted', 'error', 'cancelled')
                THEN status ELSE 'complete' END,
           created
    FROM messages ORDER BY created, rowid;

DROP TABLE messages;
DROP TABLE conversations;
ALTER TABLE conversations_v2 RENAME TO conversations;
ALTER TABLE messages_v2 RENAME TO messages;

CREATE INDEX conversations_order ON conversations(pinned, updated, id);
CREATE INDEX messages_by_conversation ON messages(conversation_id, created);
CREATE INDEX messages_by_parent ON messages(parent_id);
CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';

UPDATE messages SET selected_child_id = (
    SELECT c.id FROM messages AS c WHERE c.parent_id = messages.id
    ORDER BY c.created DESC, c.seq DESC LIMIT 1);
UPDATE conversations SET selected_root_id = (
    SELECT m.id FROM messages AS m WHERE m.conversation_id = conversations.id
    AND m.parent_id IS NULL ORDER BY m.created DESC, m.seq DESC LIMIT 1);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    created INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE message_attachments (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    detail TEXT NOT NULL DEFAULT 'auto',
    PRIMARY KEY (message_id, position)
) WITHOUT ROWID;
CREATE INDEX message_attachments_by_sha ON message_attachments(sha256);

CREATE TABLE usage_ledger (
    message_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    created INTEGER NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    prompt_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    image_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_ticks INTEGER,
    cost_usd TEXT,
    cost_source TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX usage_ledger_by_time ON usage_ledger(created);

CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='seq', tokenize='{_TOKENIZE}',
    prefix='2 3');
CREATE VIRTUAL TABLE titles_fts USING fts5(
    title, content='conversations', content_rowid='seq', tokenize='{_TOKENIZE}',
    prefix='2 3');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.seq, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER titles_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO titles_fts (rowid, title) VALUES (new.seq, new.title);
END;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO titles_fts (titles_fts, rowid, title) VALUES ('delete', old.seq, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO titles_fts (titles_fts, rowid, title) VALUES ('delete', old.seq, old.title);
    INSERT INTO titles_fts (rowid, title) VALUES (new.seq, new.title);
END;

INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
INSERT INTO titles_fts (titles_fts) VALUES ('rebuild');
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations and linear messages", _script(V1_SQL)),
    Migration(
        2,
        "seq keys, message tree with branch selection, usage and cost, attachments, "
        "usage ledger, full-text search",
        _script(V2_SQL),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
