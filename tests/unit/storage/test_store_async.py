"""AsyncStore: the slow calls as coroutines on one worker thread, next to main-thread writes."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from grok_desktop.domain.content import Role
from grok_desktop.storage import Store
from grok_desktop.storage.async_store import AsyncStore


def test_queries_run_on_the_worker_thread(store: Store, tmp_path: Path) -> None:
    c = store.create_conversation("async chat")
    store.add_message(c.id, Role.USER, "searchable walrus")
    worker_threads: set[str] = set()

    def where() -> str:
        name = threading.current_thread().name
        worker_threads.add(name)
        return name

    async def main() -> None:
        a = AsyncStore(store)
        try:
            assert [x.id for x in await a.list_conversations()] == [c.id]
            assert await a.count_conversations() == 1
            assert (await a.find_conversation(c.id[:6])).id == c.id
            hits = await a.search("walrus")
            assert [h.conversation_id for h in hits] == [c.id]
            path = await a.branch_path(c.id)
            assert [m.content for m in path] == ["searchable walrus"]
            assert await a.message_counts([c.id]) == {c.id: 1}
            assert await a.usage_rows() == []
            await a.export_conversation_json(c.id, tmp_path / "c.json")
            await a.export_backup(tmp_path / "all.json")
            await a.export_markdown(c.id, tmp_path / "c.md")
            snapshot = await a.delete_conversation(c.id)
            assert await a.get_conversation(c.id) is None
            await a.restore_conversation(snapshot)
            result = await a.import_file(tmp_path / "all.json")
            assert result.conversations_skipped == 1
            # writes from the loop's thread interleave safely with worker queries
            results = await asyncio.gather(
                *(a.search("walrus") for _ in range(20)),
                asyncio.to_thread(
                    lambda: [store.add_message(c.id, Role.USER, f"walrus {i}") for i in range(20)]
                ),
            )
            assert len(results) == 21
            assert (await a.run(where)).startswith("grok-storage")
        finally:
            a.close()

    asyncio.run(main())
    assert worker_threads
    assert all(n.startswith("grok-storage") for n in worker_threads)
    assert (tmp_path / "c.md").read_text().startswith("# async chat")
