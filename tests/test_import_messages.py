"""imports.messages: the import's messages stored so that they read again in another language (issue 18)."""

from __future__ import annotations

import json

from django.test import SimpleTestCase
from django.utils import translation

from imports import messages
from imports.messages import Message

ID_TEXT = "A citizen ID number has 12 digits; this one is “%(value)s”."
ROW_TEXT = "Row %(row)d: %(message)s"


class MessageTestCase(SimpleTestCase):
    def test_it_is_the_text_in_the_active_language(self) -> None:
        with translation.override("en"):
            english = messages.gettext(ID_TEXT) % {"value": "123"}
        with translation.override("vi"):
            vietnamese = messages.gettext(ID_TEXT) % {"value": "123"}
        self.assertEqual(english, "A citizen ID number has 12 digits; this one is “123”.")
        self.assertIsInstance(english, str)
        self.assertNotEqual(vietnamese, english)
        self.assertIn("123", vietnamese)

    def test_it_reads_again_in_another_language_from_json(self) -> None:
        with translation.override("en"):
            made = messages.gettext(ID_TEXT) % {"value": "123"}
        stored = json.loads(json.dumps(messages.as_json(made)))
        with translation.override("vi"):
            self.assertEqual(messages.render(stored, made), translation.gettext(ID_TEXT) % {"value": "123"})
        with translation.override("en"):
            self.assertEqual(messages.render(stored, "fallback"), made)

    def test_a_message_inside_another_reads_again_too(self) -> None:
        with translation.override("vi"):
            inner = messages.gettext(ID_TEXT) % {"value": "9"}
            outer = messages.gettext(ROW_TEXT) % {"row": 4, "message": inner}
        stored = json.loads(json.dumps(messages.as_json(outer)))
        with translation.override("en"):
            self.assertEqual(
                messages.render(stored, outer), "Row 4: A citizen ID number has 12 digits; this one is “9”."
            )

    def test_plain_text_and_old_records_show_as_written(self) -> None:
        self.assertIsNone(messages.as_json("chữ thường"))
        self.assertEqual(messages.render(None, "chữ thường"), "chữ thường")
        # A source text that changed since the message was stored: its values no longer fit.
        self.assertEqual(messages.render({"id": "%(gone)s", "params": {"other": 1}}, "như đã ghi"), "như đã ghi")

    def test_formatting_twice_or_with_positional_values_gives_plain_text(self) -> None:
        made = Message("%(a)s %%s") % {"a": "x"}
        self.assertIsInstance(made, Message)
        again = made % "y"
        self.assertEqual(again, "x y")
        self.assertNotIsInstance(again, Message)

    def test_revived_it_is_a_message_again_in_the_active_language(self) -> None:
        with translation.override("vi"):
            made = messages.gettext(ROW_TEXT) % {"row": 4, "message": messages.gettext(ID_TEXT) % {"value": "9"}}
        with translation.override("en"):
            again = messages.revive(json.loads(json.dumps(messages.as_json(made))), made)
        self.assertIsInstance(again, Message)
        self.assertEqual(again, "Row 4: A citizen ID number has 12 digits; this one is “9”.")
        self.assertEqual(messages.as_json(again), messages.as_json(made))
        self.assertEqual(messages.revive(None, "như đã ghi"), "như đã ghi")
