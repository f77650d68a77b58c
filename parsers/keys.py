"""The canonical keys (package copy of ../shared/spec/keys.json), loaded once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

SECTIONS = ("proactive", "requests", "appeals", "legacy")


@dataclass(frozen=True)
class Key:
    key: str
    zh: str
    templates: tuple[str, ...]
    unit: str | None
    signed: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return self.key.split(".")[0]

    @property
    def row(self) -> str:
        return self.key.split(".")[1]

    @property
    def col(self) -> str:
        return self.key.split(".")[2]

    @property
    def is_money(self) -> bool:
        return self.key.endswith("_yuan")


@cache
def raw_spec() -> dict:
    return json.loads(resources.files("parsers").joinpath("data/keys.json").read_text("utf-8"))


@cache
def all_keys() -> dict[str, Key]:
    spec = raw_spec()
    out: dict[str, Key] = {}
    for section in SECTIONS:
        for k in spec[section]:
            out[k["key"]] = Key(
                key=k["key"],
                zh=k["zh"],
                templates=tuple(k.get("templates", ())),
                unit=k.get("unit"),
                signed=bool(k.get("signed", False)),
                aliases=tuple(k.get("aliases", ()) or ()),
            )
    return out


def keys_for(template: str) -> list[Key]:
    return [k for k in all_keys().values() if template in k.templates]
