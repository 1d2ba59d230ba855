"""The import's messages, kept so that they can be shown again in another language (issue 18).

A run's errors are stored in the database and read later, perhaps after the importer switched the interface to
English, or by a system administrator who reads English. Storing the text as it was written would freeze it in the
language of the upload (and, in a background worker, of the worker). So each message the import's own modules
write remembers how it was made: the English source text (its gettext msgid) and the values put into it.
`Message` is a str (the text in the active language, so that every caller keeps using it as one) that carries
both; `as_json()` stores them beside the text, and `render()` writes them again in the reader's language.

The text as first written is stored too, and shown when a stored message cannot be written again: messages made
outside the import (the admission rules of recruitment, a model's validation) and those of runs stored before
this change. Why not only an id and parameters: a message whose source text changes in a later version would then
show nothing; with the text beside it, it shows as first written.

    from imports.messages import gettext as _     # in a module of the import, instead of Django's gettext
    _("“%(value)s” is not a valid date.") % {"value": v}      # a Message
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

__all__ = ["Message", "as_json", "gettext", "render", "revive"]


class Message(str):
    """A translated text that remembers its msgid and its parameters (see the module's docstring)."""

    __slots__ = ("msgid", "params")
    msgid: str
    params: dict[str, Any] | None

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Message:
        text = translation.gettext(msgid)
        if params is not None:
            text %= params
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.params = params
        return self

    def __mod__(self, params: Any) -> Message | str:  # type: ignore[override]
        if self.params is not None or not isinstance(params, dict):
            return str.__mod__(self, params)  # a second formatting, or positional values: plain text
        return Message(self.msgid, params)

    def as_json(self) -> dict[str, Any]:
        params = None
        if self.params is not None:
            params = {key: _json(value) for key, value in self.params.items()}
        return {"id": self.msgid, "params": params}


def _json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_json()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def gettext(msgid: str) -> Message:
    """Django's gettext, whose result remembers its msgid (and, once formatted with %, its parameters)."""
    return Message(msgid)


def as_json(text: str) -> dict[str, Any] | None:
    """How to write the text again, if it is a Message; None for plain text."""
    return text.as_json() if isinstance(text, Message) else None


def _render(stored: dict[str, Any]) -> str:
    text = translation.gettext(stored["id"])
    params = stored.get("params")
    if params is None:
        return text
    values = {key: _render(v) if isinstance(v, dict) else v for key, v in params.items()}
    return text % values


def _revive(stored: dict[str, Any]) -> Message:
    params = stored.get("params")
    if params is None:
        return Message(stored["id"])
    return Message(stored["id"], {key: _revive(v) if isinstance(v, dict) else v for key, v in params.items()})


def revive(stored: dict[str, Any] | None, fallback: str) -> str:
    """A stored message as a Message again (in the active language, and storable again); the text as first
    written when it cannot be written again."""
    if not stored:
        return fallback
    try:
        return _revive(stored)
    except (KeyError, TypeError, ValueError):
        return fallback


def render(stored: dict[str, Any] | None, fallback: str) -> str:
    """A stored message in the active language; the text as first written when it cannot be written again."""
    if not stored:
        return fallback
    try:
        return _render(stored)
    except (KeyError, TypeError, ValueError):  # the source text changed since: its parameters no longer fit
        return fallback
