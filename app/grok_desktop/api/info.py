"""Shapes of the small GET endpoints: /v1/models and /v1/api-key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    created: int
    owned_by: str

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> ModelInfo:
        return cls(str(raw["id"]), int(raw.get("created") or 0), str(raw.get("owned_by", "")))


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    redacted_api_key: str
    name: str
    team_id: str
    user_id: str
    acls: tuple[str, ...]
    team_blocked: bool
    api_key_blocked: bool
    api_key_disabled: bool

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> ApiKeyInfo:
        return cls(
            redacted_api_key=str(raw.get("redacted_api_key", "")),
            name=str(raw.get("name", "")),
            team_id=str(raw.get("team_id", "")),
            user_id=str(raw.get("user_id", "")),
            acls=tuple(str(a) for a in raw.get("acls") or ()),
            team_blocked=bool(raw.get("team_blocked")),
            api_key_blocked=bool(raw.get("api_key_blocked")),
            api_key_disabled=bool(raw.get("api_key_disabled")),
        )

    @property
    def usable(self) -> bool:
        return not (self.team_blocked or self.api_key_blocked or self.api_key_disabled)

    def problems(self) -> list[str]:
        out = []
        if self.api_key_blocked:
            out.append("the key is blocked")
        if self.api_key_disabled:
            out.append("the key is disabled")
        if self.team_blocked:
            out.append("the team is blocked")
        return out
