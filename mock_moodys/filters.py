"""The Moody's search grammar shared by ``filter=`` (Platform), ``q=`` (legacy), ``where=``.

Comparisons ``= != <> > < >= <=``, ``LIKE``/``NOT LIKE`` (``*`` or ``%`` wildcard), ``IN``/
``NOT IN`` with a parenthesised list, ``AND``/``OR``/``NOT`` and parentheses. Field names are
case-insensitive; string literals take double or single quotes; bare words are literals.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"]|"")*"|'(?:[^']|'')*')
      | (?P<op>>=|<=|!=|<>|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[^\s()=<>!,"']+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE"}


class FilterError(ValueError):
    """The expression does not parse."""


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterError(f"Unexpected character at {pos}: {text[pos : pos + 10]!r}")
        pos = match.end()
        if match["string"] is not None:
            raw = match["string"]
            quote = raw[0]
            tokens.append(("lit", raw[1:-1].replace(quote * 2, quote)))
        elif match["op"] is not None:
            tokens.append(("op", "!=" if match["op"] == "<>" else match["op"]))
        elif match["punct"] is not None:
            tokens.append((match["punct"], match["punct"]))
        else:
            word = match["word"]
            kind = "kw" if word.upper() in _KEYWORDS else "word"
            tokens.append((kind, word.upper() if kind == "kw" else word))
    return tokens


def lookup(row: dict[str, Any], field: str) -> Any:
    """Case-insensitive, dotted-path field access."""
    value: Any = row
    for part in field.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = {k.lower(): v for k, v in value.items()}
        value = lowered.get(part.lower())
    return value


def _literal(word: str) -> Any:
    if word.lower() in ("true", "false"):
        return word.lower() == "true"
    if word.lower() == "null":
        return None
    try:
        return int(word)
    except ValueError:
        pass
    try:
        return float(word)
    except ValueError:
        return word


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _equal(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return actual is expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return str(actual).lower() == str(expected).lower()
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None and not isinstance(expected, str):
        return a == e
    return str(actual) == str(expected)


def _order(actual: Any, expected: Any) -> tuple[Any, Any] | None:
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None:
        return a, e
    if actual is None or expected is None:
        return None
    return str(actual), str(expected)


def _like(actual: Any, pattern: Any) -> bool:
    if actual is None:
        return False
    glob = str(pattern).replace("%", "*")
    return fnmatch.fnmatchcase(str(actual).lower(), glob.lower())


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise FilterError("Unexpected end of filter")
        self.pos += 1
        return token

    def expect(self, kind: str) -> None:
        token = self.take()
        if token[0] != kind:
            raise FilterError(f"Expected {kind!r}, got {token[1]!r}")

    def at_kw(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "kw" and token[1] in words

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            raise FilterError(f"Unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.at_kw("OR"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.at_kw("AND"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def unary(self) -> Predicate:
        if self.at_kw("NOT"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if self.peek() is not None and self.peek()[0] == "(":  # type: ignore[index]
            self.take()
            inner = self.or_expr()
            self.expect(")")
            return inner
        return self.comparison()

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "lit":
            return text
        if kind == "word":
            return _literal(text)
        raise FilterError(f"Expected a value, got {text!r}")

    def values(self) -> list[Any]:
        self.expect("(")
        items = [self.value()]
        while self.peek() is not None and self.peek()[0] == ",":  # type: ignore[index]
            self.take()
            items.append(self.value())
        self.expect(")")
        return items

    def comparison(self) -> Predicate:
        kind, field = self.take()
        if kind != "word":
            raise FilterError(f"Expected a field name, got {field!r}")
        negate = False
        if self.at_kw("NOT"):
            self.take()
            negate = True
        token = self.take()
        if token == ("kw", "IN"):
            options = self.values()

            def test(row: dict[str, Any]) -> bool:
                return any(_equal(lookup(row, field), o) for o in options)
        elif token == ("kw", "LIKE"):
            pattern = self.value()

            def test(row: dict[str, Any]) -> bool:
                return _like(lookup(row, field), pattern)
        elif token[0] == "op" and not negate:
            return _compare(field, token[1], self.value())
        else:
            raise FilterError(f"Unknown operator {token[1]!r}")
        return (lambda row: not test(row)) if negate else test


def _compare(field: str, op: str, expected: Any) -> Predicate:
    if op == "=":
        return lambda row: _equal(lookup(row, field), expected)
    if op == "!=":
        return lambda row: not _equal(lookup(row, field), expected)

    def test(row: dict[str, Any]) -> bool:
        pair = _order(lookup(row, field), expected)
        if pair is None:
            return False
        try:
            a, e = pair
            return {">": a > e, "<": a < e, ">=": a >= e, "<=": a <= e}[op]
        except TypeError:
            return False

    return test


def compile_filter(text: str | None) -> Predicate:
    """A predicate over JSON rows; an empty filter matches everything."""
    if text is None or not text.strip():
        return lambda row: True
    return _Parser(_tokens(text)).parse()
