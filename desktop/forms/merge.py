"""Three-way merge of a case form, for a save refused because someone else saved first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def merge_forms(base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]
                ) -> tuple[dict[str, Any], list[str]]:
    """`base`: the version this desk started from; `mine`: the form on screen; `theirs`: the
    version saved meanwhile. A field left as it was takes their value; a field only this desk
    changed keeps its value; a field both changed, differently, keeps this desk's value and is
    named in the second result, to be checked. A None in the merge clears the field."""
    merged: dict[str, Any] = {}
    both: list[str] = []
    for key in dict.fromkeys([*mine, *theirs]):
        was, ours, other = base.get(key), mine.get(key), theirs.get(key)
        if ours == was:
            merged[key] = other
        else:
            merged[key] = ours
            if other not in (was, ours):
                both.append(key)
    return merged, both
