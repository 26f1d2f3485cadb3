"""Case forms generated from a topic's JSON Schema: editors, the unit picker, live triage."""

from desktop.forms.case_form import CaseForm, field_order, make_editor
from desktop.forms.unit_picker import AdminUnitPicker, match_units, unit_entries

__all__ = ["AdminUnitPicker", "CaseForm", "field_order", "make_editor", "match_units",
           "unit_entries"]
