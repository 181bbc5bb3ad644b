"""The usage ledger counts calls that are not replies (the model-made title) in every total,
but not as replies; they outlive the conversation like replies do."""

from __future__ import annotations

from decimal import Decimal

from grok_desktop.domain.content import Role
from grok_desktop.domain.pricing import ModelPrice, cost_of
from grok_desktop.domain.usage import Usage
from grok_desktop.storage import Store
from grok_desktop.storage.usage import TITLE_CALL_PREFIX

PRICE = ModelPrice(prompt=20000, cached_prompt=5000, completion=50000)  # $2 / $0.5 / $5 per M


def test_title_usage_is_in_the_totals_but_not_a_reply(store: Store) -> None:
    c = store.create_conversation()
    u = store.add_message(c.id, Role.USER, "q")
    reply = Usage(prompt_tokens=1_000_000, completion_tokens=0)
    store.add_message(
        c.id,
        Role.ASSISTANT,
        "a",
        parent_id=u.id,
        model="grok-4.3",
        usage=reply,
        cost=cost_of(reply, PRICE),
    )
    title = Usage(prompt_tokens=0, completion_tokens=200_000)
    ledger_id = store.record_title_usage(c.id, "grok-4.3", title, cost_of(title, PRICE))
    assert ledger_id.startswith(TITLE_CALL_PREFIX)
    (row,) = store.usage_rows()
    assert row.replies == 1
    assert row.usage.prompt_tokens == 1_000_000
    assert row.usage.completion_tokens == 200_000
    assert row.cost_usd == Decimal("3")  # $2 for the reply + $1 for the title
    assert row.unknown_cost_replies == 0
    store.delete_conversation(c.id)
    assert store.usage_rows()[0].cost_usd == Decimal("3")  # spent is spent


def test_title_usage_without_a_price_is_counted_as_unknown_cost(store: Store) -> None:
    c = store.create_conversation()
    store.record_title_usage(
        c.id, "mystery", Usage(prompt_tokens=5, completion_tokens=3, total_tokens=8), None
    )
    (row,) = store.usage_rows()
    assert (row.model, row.replies, row.usage.total_tokens) == ("mystery", 0, 8)
    assert row.unknown_cost_replies == 1
