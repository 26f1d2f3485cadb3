"""The agent window's words for the hub's codes: a topic's name (whole, or short for tables),
a case's summary, a commune's name, a topic's outcome codes, in the agent's language."""

from __future__ import annotations

from typing import Any

from desktop.windows.declaration_box import choice_title


class TopicWords:
    """Looked up in the topics and units of the login (`_topics`, `_units`, by key and code)
    in `language` ("vi" or "en"); a mixin of AgentWindow, whose views take these as callables."""

    _topics: dict[str, dict[str, Any]]
    _units: dict[str, dict[str, Any]]

    @property
    def language(self) -> str:
        raise NotImplementedError

    def topic_name(self, key: str | None) -> str:
        topic = self._topics.get(key or "")
        if topic is None:
            return key or ""
        return str(topic.get("name_vi" if self.language == "vi" else "name_en") or key)

    def topic_short(self, key: str | None) -> str:
        """The topic as tables show it: its short name (the full one is a sentence)."""
        topic = self._topics.get(key or "", {})
        short = topic.get("short_vi" if self.language == "vi" else "short_en")
        return str(short) if short else self.topic_name(key)

    def case_summary(self, row: dict[str, Any]) -> str:
        """A history row's case in words: the person, the outcome and the triage level as the
        topic labels them in the agent's language (the hub's summary has their codes)."""
        topic = self._topics.get(str(row.get("topic") or ""), {})
        parts = [str(row.get("person_name") or "")]
        for field in ("outcome", "triage_level"):
            code = row.get(field)
            if code:
                parts.append(choice_title(topic, field, code, self.language) or str(code))
        text = " · ".join(part for part in parts if part)
        return text or str(row.get("summary") or "")

    def outcome_codes(self, key: str) -> list[str]:
        outcomes = self._topics.get(key, {}).get("outcomes") or []
        return [str(o["code"]) for o in outcomes if isinstance(o, dict) and "code" in o]

    def unit_name(self, code: str | None) -> str:
        unit = self._units.get(code or "")
        return str(unit.get("name") or code) if unit else (code or "")
