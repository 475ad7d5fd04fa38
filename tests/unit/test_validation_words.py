"""Every constraint of every domain model is refused in our words, naming the field and the limit.

The walk finds the models (every pydantic model in ``app.domain``) and their constraints
by introspection, so a new field, or a new kind of constraint, is covered (or fails here)
without anyone remembering this test. Before, these messages were pydantic's own
("String should have at most 200 characters").
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel, StringConstraints, ValidationError
from pydantic.fields import FieldInfo
from pydantic.functional_validators import AfterValidator

import app.domain
from app.domain.errors import InvalidInput
from app.domain.validation import REQUIRED, field_errors, label

# Constraint kinds and the parameter a message must show.
_BOUNDS = {
    annotated_types.Gt: "gt",
    annotated_types.Ge: "ge",
    annotated_types.Lt: "lt",
    annotated_types.Le: "le",
}
_PYDANTIC_WORDS = re.compile(r"\b(should|Input|Value error|valid (integer|string))\b")


@dataclass(frozen=True)
class Case:
    model: type[BaseModel]
    field: str
    kind: str  # max_length, min_length, pattern, gt, ge, lt, le
    limit: Any
    value: Any
    email: bool = False

    def __str__(self) -> str:
        return f"{self.model.__name__}.{self.field}:{self.kind}={self.limit}"


def _models() -> list[type[BaseModel]]:
    for module in pkgutil.iter_modules(app.domain.__path__, "app.domain."):
        importlib.import_module(module.name)
    found: list[type[BaseModel]] = []
    todo = list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo += model.__subclasses__()
        if model.__module__.startswith("app.domain.") and model not in found:
            found.append(model)
    return sorted(found, key=lambda m: (m.__module__, m.__name__))


def _metadata(field: FieldInfo) -> Iterator[Any]:
    """The field's own metadata and that of the Annotated types inside its annotation."""
    yield from field.metadata
    todo: list[Any] = [field.annotation]
    while todo:
        hint = todo.pop()
        if typing.get_origin(hint) is typing.Annotated:
            yield from hint.__metadata__
            todo.append(typing.get_args(hint)[0])
        elif isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            todo += typing.get_args(hint)


def _constraints(item: Any) -> Iterator[tuple[str, Any]]:
    """(kind, limit) of one metadata item; fails on a kind this test does not know."""
    if isinstance(item, annotated_types.MaxLen):
        yield "max_length", item.max_length
    elif isinstance(item, annotated_types.MinLen):
        yield "min_length", item.min_length
    elif type(item) in _BOUNDS:
        name = _BOUNDS[type(item)]
        yield name, getattr(item, name)
    elif isinstance(item, StringConstraints):
        for name in ("min_length", "max_length", "pattern"):
            if getattr(item, name) is not None:
                yield name, getattr(item, name)
        assert item.strict is None, f"teach this test {item}"
        assert item.ascii_only is None, f"teach this test {item}"
    elif isinstance(item, AfterValidator):
        return  # our own functions: they raise ValueError in our words
    elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) == {"pattern"}:
        yield "pattern", item.pattern
    else:
        raise AssertionError(f"a constraint this test does not know: {item!r}")


def _violation(kind: str, limit: Any, lengths: dict[str, int]) -> Any:
    if kind == "max_length":
        return "x" * (limit + 1)
    if kind == "min_length":
        return "x" * (limit - 1)
    if kind == "pattern":
        size = lengths.get("min_length", 1)
        candidates = ("Z" * size, "!" * size, "z Z!" * size)
        return next(c for c in candidates if not re.fullmatch(limit, c))
    return {"gt": limit, "ge": limit - 1, "lt": limit, "le": limit + 1}[kind]


def _cases() -> list[Case]:
    cases = []
    for model in _models():
        for name, field in model.model_fields.items():
            found = [c for item in _metadata(field) for c in _constraints(item)]
            lengths = {k: v for k, v in found if k in ("min_length", "max_length")}
            email = "EmailStr" in str(field.annotation)
            for kind, limit in found:
                value = _violation(kind, limit, lengths)
                cases.append(Case(model, name, kind, limit, value, email))
    return cases


CASES = _cases()


def _error_for(case: Case) -> str:
    try:
        case.model.model_validate({case.field: case.value})
    except InvalidInput as error:
        return error.errors[case.field]
    except ValidationError as error:
        return field_errors(error)[case.field]
    raise AssertionError(f"{case}: {case.value!r} was accepted")


def test_the_walk_finds_the_constraints_it_should() -> None:
    found = {str(c) for c in CASES}
    assert {
        "EventDraft.title:max_length=200",
        "EventDraft.title:min_length=1",
        "EventPatch.location:max_length=500",
        "UserDraft.display_name:max_length=200",
        "NewToken.secret_hash:pattern=^[0-9a-f]{64}$",
        "NewToken.owner_id:gt=0",
        "Target.port:le=65535",
        "Target.port:ge=1",
    } <= found
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_constraint_is_refused_in_our_words(case: Case) -> None:
    message = _error_for(case)

    assert not _PYDANTIC_WORDS.search(message), message
    assert message.endswith("."), message
    if case.email:
        return  # email-validator's limit (254) comes first, in its own words: checked below
    if case.kind == "min_length" and case.limit == 1:
        assert message == REQUIRED
        return
    assert message.startswith(label(case.field)), message
    if case.kind != "pattern":
        assert str(case.limit) in message, message
    if case.kind in ("min_length", "max_length") and isinstance(case.value, str):
        assert f"{case.limit} characters" in message, message


@pytest.mark.parametrize(
    ("model", "data", "field", "words"),
    [
        ("EventDraft", {"title": "t" * 201}, "title", "Title can have at most 200 characters."),
        ("UserDraft", {"display_name": "n" * 201}, "display_name", "Name can have at most 200 "),
        ("EventPatch", {"title": "t" * 201}, "title", "Title can have at most 200 characters."),
        ("NewToken", {"prefix": "p" * 13}, "prefix", "Prefix can have at most 12 characters."),
        ("NewToken", {"secret_hash": "ab"}, "secret_hash", "Secret hash needs at least 64 "),
        ("NewToken", {"secret_hash": "Z" * 64}, "secret_hash", "Secret hash is not in the "),
        ("TokenRequest", {"owner_id": 0}, "owner_id", "Owner must be greater than 0."),
        ("EventDraft", {"owner_id": "seven"}, "owner_id", "Owner must be a whole number."),
        ("Target", {"port": 70000}, "port", "Port can be at most 65535."),
        ("Target", {"port": 0}, "port", "Port must be at least 1."),
        ("UserDraft", {"role": "boss"}, "role", "Role must be one of "),
    ],
)
def test_the_words(model: str, data: dict[str, Any], field: str, words: str) -> None:
    (found,) = (m for m in _models() if m.__name__ == model)
    case = Case(found, field, "", None, data[field])
    assert _error_for(case).startswith(words)


def test_an_email_too_long_for_its_column_is_refused_in_words() -> None:
    (case,) = (c for c in CASES if str(c) == "UserDraft.email:max_length=320")
    local, domain = "a" * 64, ".".join(["b" * 60] * 4) + ".org"
    message = _error_for(Case(case.model, "email", "", None, f"{local}@{domain}"))
    assert "too long" in message
    assert not _PYDANTIC_WORDS.search(message)
