"""A small, safe expression language for validation rules — no eval.

    expression := term (('+' | '-') term)*
    term       := factor (('*' | '/') factor)*
    factor     := NUMBER | REF | '(' expression ')' | '-' factor
    REF        := CODE | CODE '[previous]'        (CODE: upper-case letters, digits, '_', starting with a letter)

'×', '÷' and '−' are accepted for '*', '/' and '-'. A rule is `expression OP expression` with OP one of
== != < <= > >=. Anything else is rejected with a message saying what was found where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<ref>[A-Z][A-Z0-9_]*)(?P<prev>\[previous\])?"
                    r"|(?P<op>[-+*/()×÷−]))")


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Ref:
    code: str
    previous: bool = False

    def __str__(self) -> str:
        return f"{self.code}[previous]" if self.previous else self.code


def tokenize(text: str) -> list[tuple[str, object, int]]:
    text = text.replace("×", "*").replace("÷", "/").replace("−", "-")
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            shown = text[position:].strip()[:10]
            raise ExpressionError(_("第%(pos)d个字符处无法识别“%(text)s”：只能使用指标代码、数字、+ − × ÷ 和括号。") % {
                "pos": position + 1, "text": shown})
        start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
        if match.group("number"):
            tokens.append(("num", Decimal(match.group("number")), start))
        elif match.group("ref"):
            tokens.append(("ref", Ref(match.group("ref"), bool(match.group("prev"))), start))
        else:
            tokens.append(("op", match.group("op"), start))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.index += 1
        return token

    def expression(self):
        node = self.term()
        while (token := self.peek()) and token[0] == "op" and token[1] in "+-":
            self.take()
            node = (token[1], node, self.term())
        return node

    def term(self):
        node = self.factor()
        while (token := self.peek()) and token[0] == "op" and token[1] in "*/":
            self.take()
            node = (token[1], node, self.factor())
        return node

    def factor(self):
        token = self.take()
        if token is None:
            raise ExpressionError(_("表达式不完整：末尾缺少指标代码或数字。"))
        kind, value, position = token
        if kind in ("num", "ref"):
            return value
        if value == "(":
            node = self.expression()
            closing = self.take()
            if closing is None or closing[1] != ")":
                raise ExpressionError(_("第%(pos)d个字符处的括号没有闭合。") % {"pos": position + 1})
            return node
        if value == "-":
            return ("neg", self.factor())
        raise ExpressionError(_("第%(pos)d个字符处不应出现“%(op)s”。") % {"pos": position + 1, "op": value})

    def parse(self):
        if not self.tokens:
            raise ExpressionError(_("表达式为空。"))
        node = self.expression()
        if self.peek() is not None:
            position = self.peek()[2]
            raise ExpressionError(_("第%(pos)d个字符处多出了“%(text)s”。") % {
                "pos": position + 1, "text": self.text[position:position + 10]})
        return node


def parse(text: str):
    return _Parser(text).parse()


def references(node) -> set[Ref]:
    if isinstance(node, Ref):
        return {node}
    if isinstance(node, tuple):
        return set().union(*(references(child) for child in node[1:]))
    return set()


def evaluate(node, values: dict[Ref, Decimal | None]) -> Decimal | None:
    """The value of a parsed expression; None when a referenced value is missing."""
    if isinstance(node, Decimal):
        return node
    if isinstance(node, Ref):
        return values.get(node)
    if node[0] == "neg":
        inner = evaluate(node[1], values)
        return None if inner is None else -inner
    left, right = evaluate(node[1], values), evaluate(node[2], values)
    if left is None or right is None:
        return None
    try:
        return {"+": left + right, "-": left - right, "*": left * right}[node[0]] if node[0] != "/" else left / right
    except (DivisionByZero, InvalidOperation):
        raise ExpressionError(_("除数为0。")) from None


def parse_rule(left: str, operator: str, right: str):
    if operator not in OPERATORS:
        raise ExpressionError(_("比较运算符“%(op)s”无效，可用：%(ops)s") % {"op": operator, "ops": " ".join(OPERATORS)})
    return parse(left), parse(right)


def compare(left: Decimal, operator: str, right: Decimal, *, places: int = 4) -> bool:
    unit = Decimal(1).scaleb(-places)
    left, right = left.quantize(unit), right.quantize(unit)
    return {"==": left == right, "!=": left != right, "<": left < right, "<=": left <= right, ">": left > right,
            ">=": left >= right}[operator]
