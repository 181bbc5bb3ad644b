"""`grok-desktop usage`: totals by day and model from the store, exact to the tick."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from grok_desktop.cli import main
from grok_desktop.domain.content import Role
from grok_desktop.domain.pricing import ModelPrice, cost_of
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.store import Store


def test_usage_totals_by_model_with_unknown_prices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(tmp_path) as store:
        c = store.create_conversation()
        u = store.add_message(c.id, Role.USER, "q")
        server = Usage(prompt_tokens=100, completion_tokens=10, cost_ticks=12_345_000)
        store.add_message(
            c.id,
            Role.ASSISTANT,
            "a",
            parent_id=u.id,
            model="grok-4.3",
            usage=server,
            cost=cost_of(server, None),
        )
        priced = Usage(prompt_tokens=1_000_000, completion_tokens=0)
        cost = cost_of(priced, ModelPrice(prompt=20000, cached_prompt=5000, completion=50000))
        store.add_message(
            c.id, Role.ASSISTANT, "b", parent_id=u.id, model="grok-4.20", usage=priced, cost=cost
        )
        unknown = Usage(prompt_tokens=5, completion_tokens=5)
        store.add_message(
            c.id,
            Role.ASSISTANT,
            "c",
            parent_id=u.id,
            model="mystery",
            usage=unknown,
            cost=cost_of(unknown, None),
        )
    assert main(["--data-dir", str(tmp_path), "usage", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_model = {r["model"]: r for r in doc["rows"]}
    assert Decimal(by_model["grok-4.3"]["cost_usd"]) == Decimal("0.0012345")
    assert Decimal(by_model["grok-4.20"]["cost_usd"]) == Decimal("2")  # 1M tokens at $2.00/M
    assert by_model["mystery"]["replies_with_unknown_cost"] == 1
    assert Decimal(doc["total_cost_usd"]) == Decimal("2.0012345")
    assert main(["--data-dir", str(tmp_path), "usage"]) == 0
    text = capsys.readouterr().out
    assert "$2.00" in text
    assert "no known price" in text


def test_usage_rejects_bad_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(tmp_path), "usage", "--since", "yesterday"])
    assert info.value.code == 2
    assert "not a date" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path), "usage", "--since", "2999-01-01"]) == 2
