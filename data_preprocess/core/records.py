"""Validating one source record: the normalised :class:`Item`, :class:`InvalidRecord` (which names file,
row and field) and the field checks converters use while parsing."""

from __future__ import annotations

import dataclasses
from typing import Any

from data_preprocess.core.choices import option_letters


@dataclasses.dataclass(frozen=True)
class Item:
    """One source question, normalised, before prompt building.

    ``question`` is the full user text without the instructions (a converter puts contexts or the
    patient note into it). MCQ items carry ``options`` (letter -> text) and the letter as
    ``ground_truth``; calculation items carry the MedCalc fields.
    """

    question: str
    ground_truth: str
    source_id: str
    options: dict[str, str] | None = None
    calculator_id: int = -1
    calculator_name: str = ""
    category: str = ""
    output_type: str = ""
    lower_limit: float | None = None
    upper_limit: float | None = None


class InvalidRecord(ValueError):
    """A source record that cannot be converted; the message names file, row and field."""

    def __init__(self, field: str, problem: str, file: str = "", row: int | str = ""):
        self.field, self.problem, self.file, self.row = field, problem, file, row
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.file or '<input>'}, row {self.row}" if self.row != "" else (self.file or "<input>")
        return f"{where}, field {self.field!r}: {self.problem}"

    def located(self, file: str, row: int | str) -> InvalidRecord:
        """The same error with the file and row filled in (parsers know only the field)."""
        return InvalidRecord(self.field, self.problem, file, row)


def require_str(raw: dict[str, Any], field: str) -> str:
    """``raw[field]`` as a non-empty, stripped string, or :class:`InvalidRecord`."""
    if not isinstance(raw, dict):
        raise InvalidRecord(field, f"record is a {type(raw).__name__}, not an object")
    value = raw.get(field)
    if value is None or (isinstance(value, float) and value != value):
        raise InvalidRecord(field, "missing")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(field, f"expected a non-empty string, got {value!r}")
    return value.strip()


def require_options(options: Any, field: str = "options") -> dict[str, str]:
    """Validate a letter -> text mapping (A, B, ... contiguous, non-empty texts)."""
    if not isinstance(options, dict) or not options:
        raise InvalidRecord(field, f"expected a non-empty letter -> text object, got {options!r}")
    letters = sorted(options)
    if len(letters) > 26 or letters != option_letters(len(letters)):
        raise InvalidRecord(field, f"option letters {letters} are not A, B, ... in order")
    clean: dict[str, str] = {}
    for letter in letters:
        text = options[letter]
        if not isinstance(text, str) or not text.strip():
            raise InvalidRecord(field, f"option {letter} is empty or not a string: {text!r}")
        clean[letter] = text.strip()
    return clean


def parse_limit(value: Any) -> float | None:
    """A MedCalc tolerance limit as float, or None when it is not numeric (dates, week/day tuples)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def collapse(text: Any) -> str:
    """Text with every whitespace run (XML line wraps, indentation) turned into one space; "" for non-text.

    Used by the open-ended converters so all reference answers are cleaned alike.
    """
    return " ".join(text.split()) if isinstance(text, str) else ""
