"""Custom-field values in an add/update form, validated as Backlog does (``customField_N``, list items by id).

Types (reference §7): 3 number, 4 date (``yyyy-MM-dd``), 5/8 single list or radio (item id), 6/7 multi list
or checkbox (``customField_N[i]`` item ids); anything else is kept as text. A bad value is 400 code 7.
"""

from __future__ import annotations

from decimal import Decimal

from bot.sandbox import forms
from bot.sandbox.forms import Form, invalid
from bot.sandbox.model import CustomField, CustomValue, Project


def _custom_value(field: CustomField, raw: list[str]) -> CustomValue:
    name = f"customField_{field.id}"
    values = [v for v in raw if v != ""]
    if not values:
        return None
    item_ids = {i.id for i in field.items}
    if field.type_id in (6, 7):
        chosen = [forms.integer(v, name) for v in values]
        if any(i not in item_ids for i in chosen):
            raise invalid(f"{name}: no such item.")
        return chosen
    value = values[0]
    if field.type_id == 3:
        return forms.hours(value, name) if not value.startswith("-") else Decimal(value)
    if field.type_id == 4:
        return forms.day(value, name).isoformat()
    if field.type_id in (5, 8):
        item = forms.integer(value, name)
        if item not in item_ids:
            raise invalid(f"{name}: no such item.")
        return item
    return value


def custom_values(project: Project, form: Form) -> dict[int, CustomValue]:
    """Every ``customField_N`` of the form, checked against the project's fields."""
    result: dict[int, CustomValue] = {}
    fields = {f.id: f for f in project.custom_fields}
    for field_id, raw in forms.custom_fields(form).items():
        field = fields.get(field_id)
        if field is None:
            raise invalid(f"customField_{field_id}: no such custom field in {project.key}.")
        result[field_id] = _custom_value(field, raw)
    return result
