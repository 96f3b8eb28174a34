"""`$filter` syntax: a lexer and a recursive-descent parser for the OData v4 subset the API supports.

The grammar (OData v4 precedence: `not` binds tighter than a comparison, as in Microsoft's OData
library, so `not a eq b` reads `(not a) eq b`; write `not (a eq b)`):

    or_expr    = and_expr *( "or" and_expr )
    and_expr   = comparison *( "and" comparison )
    comparison = unary [ ( "eq" / "ne" / "gt" / "ge" / "lt" / "le" ) unary ]
    unary      = "not" unary / primary
    primary    = "(" or_expr ")" / literal / name "(" [ or_expr *( "," or_expr ) ] ")"
               / name *( "/" name ) [ "/" ( "any" / "all" ) "(" [ name ":" or_expr ] ")" ]
    literal    = string / number / date / date-time / "true" / "false" / "null"

Keywords are matched case-insensitively. The input is bounded (length, nesting depth, the length of
any number or date) before anything is converted, so no input raises anything but BadRequest, and
recursion never goes deeper than MAX_FILTER_DEPTH levels of the grammar.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from shared.errors import BadRequest
from shared.facets.kinds import instant_ticks, is_date
from shared.query.model import MAX_FILTER_DEPTH, MAX_FILTER_LENGTH
from shared.validation.names import shorten

COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
#: OData operators outside the supported subset, named in the message when used.
UNSUPPORTED_OPERATORS = frozenset({"has", "in", "add", "sub", "mul", "div", "divby", "mod"})
_KEYWORDS = COMPARISONS | UNSUPPORTED_OPERATORS | {"and", "or", "not", "true", "false", "null"}
#: The longest number, date or date-time literal accepted, in characters.
MAX_LITERAL_LENGTH = 40

_TOKEN = re.compile(
    r"""
    (?P<ws>[\ \t\r\n]+)
    |(?P<string>'(?:[^']|'')*')
    |(?P<datetime>\d{4}-\d\d-\d\dT[0-9A-Za-z:.+\-]*)
    |(?P<date>\d{4}-\d\d-\d\d)
    |(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<punct>[(),/:])
    """,
    re.VERBOSE | re.ASCII,  # ASCII digits only: `\d` also takes other scripts' digits, which int() accepts
)
_DATETIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d)(:\d\d(?:\.\d{1,7})?)?(Z|[+-]\d\d:\d\d)", re.ASCII)


class Token(NamedTuple):
    kind: str  # string, number, date, datetime, name, punct, end
    text: str
    pos: int  # 0-based offset in the expression
    value: Any = None


# The syntax tree (named tuples, cheap to define). `pos` is where a node starts (0-based), for messages.
class Literal(NamedTuple):
    kind: str  # string, number, boolean, null, date, datetime
    value: Any
    text: str
    pos: int


class Path(NamedTuple):
    segments: tuple[str, ...]
    pos: int


class Lambda(NamedTuple):
    path: tuple[str, ...]
    variable: str | None
    body: Node | None
    pos: int


class Call(NamedTuple):
    name: str  # as written
    args: tuple[Node, ...]
    pos: int


class Compare(NamedTuple):
    op: str  # eq ne gt ge lt le
    left: Node
    right: Node
    pos: int


class Not(NamedTuple):
    operand: Node
    pos: int


class Logical(NamedTuple):
    op: str  # and, or
    operands: tuple[Node, ...]
    pos: int


Node = Literal | Path | Lambda | Call | Compare | Not | Logical


def invalid(message: str, pos: int | None = None) -> BadRequest:
    where = "" if pos is None else f" (at character {pos + 1})"
    return BadRequest(f"Invalid $filter: {message}{where}.")


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an `end` token; literals already converted and checked."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == "'":
                raise invalid("a string is not closed with a quote", pos)
            raise invalid(f"unexpected character {text[pos]!r}", pos)
        kind = match.lastgroup or ""
        token_text = match.group()
        if kind != "ws":
            tokens.append(_token(kind, token_text, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _token(kind: str, text: str, pos: int) -> Token:
    if kind == "string":
        return Token(kind, text, pos, text[1:-1].replace("''", "'"))
    if kind in ("number", "date", "datetime") and len(text) > MAX_LITERAL_LENGTH:
        raise invalid(f"the {kind} literal '{shorten(text)}' is too long", pos)
    if kind == "number":
        return Token(kind, text, pos, _number(text, pos))
    if kind == "date":
        if not is_date(text):
            raise invalid(f"'{text}' is not a valid date (YYYY-MM-DD)", pos)
        return Token(kind, text, pos, text)
    if kind == "datetime":
        return Token(kind, text, pos, _datetime(text, pos))
    return Token(kind, text, pos)


def _number(text: str, pos: int) -> int | float:
    """The number a bounded literal denotes; 400 when it is out of a double's range."""
    if any(char in text for char in ".eE"):
        value = float(text)  # at most MAX_LITERAL_LENGTH characters: never slow, never an error
        if value in (float("inf"), float("-inf")):
            raise invalid(f"the number '{text}' is out of range", pos)
        return value
    return int(text)


def _datetime(text: str, pos: int) -> int:
    """A date-time literal as 100 ns ticks (seconds optional, up to 7 fractional digits, a zone required)."""
    match = _DATETIME.fullmatch(text)
    ticks = None
    if match is not None and _offset_ok(match.group(3)):
        minutes, seconds, zone = match.groups()
        try:
            ticks = instant_ticks(f"{minutes}{seconds or ':00'}{zone}")
        except OverflowError:  # an offset that moves the instant out of years 1..9999
            ticks = None
    if ticks is None:
        raise invalid(f"'{shorten(text)}' is not a valid date-time such as 2020-07-06T06:34:12Z", pos)
    return ticks


def _offset_ok(zone: str) -> bool:
    """`Z`, or an offset within ±14:00 (the range of ISO 8601 / .NET offsets) with minutes below 60."""
    return zone == "Z" or (int(zone[1:3]) * 60 + int(zone[4:6]) <= 14 * 60 and int(zone[4:6]) < 60)


def parse(text: str) -> Node:
    """The syntax tree of a `$filter` expression; 400 saying what is wrong and where."""
    if len(text) > MAX_FILTER_LENGTH:
        raise BadRequest(f"Invalid $filter: the expression is longer than {MAX_FILTER_LENGTH} characters.")
    if not text.strip():
        raise BadRequest("Invalid $filter: the expression is empty.")
    return _Parser(tokenize(text)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    # -- token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind == "name" and self.token.text.lower() in words

    def at_punct(self, char: str) -> bool:
        return self.token.kind == "punct" and self.token.text == char

    def expect_punct(self, char: str) -> Token:
        if not self.at_punct(char):
            raise invalid(f"expected '{char}' but found {describe(self.token)}", self.token.pos)
        return self.advance()

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise BadRequest(f"Invalid $filter: the expression is nested more than {MAX_FILTER_DEPTH} levels deep.")

    # -- grammar
    def parse(self) -> Node:
        node = self.or_expr()
        if self.token.kind != "end":
            raise invalid(f"expected 'and', 'or' or the end but found {describe(self.token)}", self.token.pos)
        return node

    def or_expr(self) -> Node:
        start = self.token.pos
        operands = [self.and_expr()]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Logical("or", tuple(operands), start)

    def and_expr(self) -> Node:
        start = self.token.pos
        operands = [self.comparison()]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.comparison())
        return operands[0] if len(operands) == 1 else Logical("and", tuple(operands), start)

    def comparison(self) -> Node:
        left = self.unary()
        token = self.token
        if token.kind == "name" and token.text.lower() in UNSUPPORTED_OPERATORS:
            raise invalid(f"the operator '{token.text}' is not supported", token.pos)
        if not (token.kind == "name" and token.text.lower() in COMPARISONS):
            return left
        self.advance()
        right = self.unary()
        after = self.token
        if after.kind == "name" and after.text.lower() in UNSUPPORTED_OPERATORS:
            raise invalid(f"the operator '{after.text}' is not supported", after.pos)
        if after.kind == "name" and after.text.lower() in COMPARISONS:
            raise invalid(f"unexpected '{after.text}'; comparisons cannot be chained", after.pos)
        return Compare(token.text.lower(), left, right, token.pos)

    def unary(self) -> Node:
        if self.at_keyword("not"):
            token = self.advance()
            self.enter(token.pos)
            operand = self.unary()
            self.depth -= 1
            return Not(operand, token.pos)
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if self.at_punct("("):
            self.advance()
            self.enter(token.pos)
            node = self.or_expr()
            self.expect_punct(")")
            self.depth -= 1
            return node
        if token.kind in ("string", "number", "date", "datetime"):
            self.advance()
            return Literal(token.kind, token.value, token.text, token.pos)
        if token.kind == "name":
            return self.name()
        raise invalid(f"expected a property, a literal or '(' but found {describe(token)}", token.pos)

    def name(self) -> Node:
        token = self.advance()
        word = token.text.lower()
        if word in ("true", "false"):
            return Literal("boolean", word == "true", token.text, token.pos)
        if word == "null":
            return Literal("null", None, token.text, token.pos)
        if word in COMPARISONS | {"and", "or"}:
            raise invalid(f"expected a property, a literal or '(' but found '{token.text}'", token.pos)
        if self.at_punct("("):
            return self.call(token)
        segments = [token.text]
        while self.at_punct("/"):
            self.advance()
            segment = self.token
            if segment.kind != "name" or segment.text.lower() in _KEYWORDS:
                raise invalid(f"expected a property name after '/' but found {describe(segment)}", segment.pos)
            self.advance()
            if segment.text.lower() in ("any", "all") and self.at_punct("("):
                return self.lambda_(tuple(segments), segment)
            segments.append(segment.text)
        return Path(tuple(segments), token.pos)

    def call(self, name: Token) -> Node:
        self.expect_punct("(")
        self.enter(name.pos)
        args: list[Node] = []
        if not self.at_punct(")"):
            args.append(self.or_expr())
            while self.at_punct(","):
                self.advance()
                args.append(self.or_expr())
        self.expect_punct(")")
        self.depth -= 1
        return Call(name.text, tuple(args), name.pos)

    def lambda_(self, path: tuple[str, ...], operator: Token) -> Node:
        if operator.text.lower() == "all":
            raise invalid("the lambda operator 'all' is not supported (use not any(...))", operator.pos)
        self.expect_punct("(")
        if self.at_punct(")"):
            self.advance()
            return Lambda(path, None, None, operator.pos)
        variable = self.token
        if variable.kind != "name":
            raise invalid(f"expected a lambda variable name but found {describe(variable)}", variable.pos)
        self.advance()
        self.expect_punct(":")
        self.enter(operator.pos)
        body = self.or_expr()
        self.expect_punct(")")
        self.depth -= 1
        return Lambda(path, variable.text, body, operator.pos)


def describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    return f"'{shorten(token.text)}'"
