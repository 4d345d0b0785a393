"""GNU-as style expression evaluation (ppc64 flavour, as with -mregnames).

Values are Python ints paired with a section name (None = absolute).  During
pass 1 labels are section-relative; in pass 2 every symbol is absolute.

Operator precedence follows GNU as, not C:
  unary - ~ ! +   >   * / % << >>   >   | & ^ !   >   + - == != <> < > <= >=   >   && ||
"""
from __future__ import annotations

import re

REG_NAMES: dict[str, int] = {}
for _i in range(32):
    for _p in ("r", "f", "v"):
        REG_NAMES[f"{_p}{_i}"] = _i
for _i in range(64):
    REG_NAMES[f"vs{_i}"] = _i
for _i in range(8):
    REG_NAMES[f"cr{_i}"] = _i
REG_NAMES.update({"sp": 1, "rtoc": 2, "lt": 0, "gt": 1, "eq": 2, "so": 3, "un": 3,
                  "xer": 1, "lr": 8, "ctr": 9, "dsisr": 18, "dar": 19, "dec": 22,
                  "sdr1": 25, "srr0": 26, "srr1": 27})

RELOC_SUFFIXES = ("highesta", "highest", "highera", "higher", "higha", "high", "ha", "h", "l",
                  "pcrel", "notoc")


def apply_suffix(value: int, suffix: str) -> int:
    if suffix in ("pcrel", "notoc"):     # the encoder makes @pcrel PC-relative
        return value
    v = value & 0xFFFFFFFFFFFFFFFF
    if suffix == "l":
        return v & 0xFFFF
    if suffix in ("h", "high"):
        return (v >> 16) & 0xFFFF
    if suffix in ("ha", "higha"):
        return ((v + 0x8000) >> 16) & 0xFFFF
    if suffix == "higher":
        return (v >> 32) & 0xFFFF
    if suffix == "highera":
        return ((v + 0x8000) >> 32) & 0xFFFF
    if suffix == "highest":
        return (v >> 48) & 0xFFFF
    if suffix == "highesta":
        return ((v + 0x8000) >> 48) & 0xFFFF
    raise ExprError(f"unknown relocation suffix @{suffix}")


class ExprError(Exception):
    pass


class UndefinedSymbol(ExprError):
    def __init__(self, name):
        super().__init__(f"undefined symbol `{name}'")
        self.name = name


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)
    | (?P<chr>'(?:\\.|[^\\])'?)
    | (?P<reg>%[A-Za-z]+\d*)
    | (?P<name>[A-Za-z_.$\x02][\w.$\x02]*)
    | (?P<op><<|>>|==|!=|<>|<=|>=|&&|\|\||[-+*/%&|^~!()<>@])
    )""", re.X)


_TOKENS: dict[str, list] = {}


def tokenize(text: str):
    """Tokens of `text` (cached: the same operand text recurs in big sources)."""
    toks = _TOKENS.get(text)
    if toks is None:
        toks = _tokenize(text)
        if len(_TOKENS) < 100_000:
            _TOKENS[text] = toks
    return toks


def _tokenize(text: str):
    pos = 0
    out = []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"junk in expression at `{text[pos:].strip()}'")
        pos = m.end()
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
    return out


def _char_value(tok: str) -> int:
    body = tok[1:]
    if body.endswith("'") and len(body) > 1:
        body = body[:-1]
    if body.startswith("\\"):
        esc = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "b": 8, "f": 12}
        return esc.get(body[1:2], ord(body[1:2] or "\\"))
    return ord(body[0])


def parse_int(text: str) -> int:
    t = text.strip()
    neg = t.startswith("-")
    if neg or t.startswith("+"):
        t = t[1:].strip()
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", t):
        v = int(t, 16)
    elif re.fullmatch(r"0[bB][01]+", t):
        v = int(t[2:], 2)
    elif re.fullmatch(r"0[0-7]*", t):
        v = int(t, 8) if len(t) > 1 else 0
    elif re.fullmatch(r"[1-9]\d*", t):
        v = int(t)
    else:
        raise ValueError(text)
    return -v if neg else v


class Evaluator:
    """Evaluate one expression.  `lookup(name) -> (value, section)` raises UndefinedSymbol."""

    def __init__(self, lookup, dot=None, allow_regs=True):
        self.lookup = lookup
        self.dot = dot          # (value, section) of `.`
        self.allow_regs = allow_regs
        self.used_suffix = None

    def evaluate(self, text: str):
        self.toks = toks = tokenize(text)
        self.i = 0
        if not toks:
            raise ExprError("missing operand")
        if len(toks) == 3 and toks[1][0] == "op" and toks[1][1] in "+-" and \
                toks[0][0] != "op" and toks[2][0] != "op":     # fast path: a + b, a - b
            self.i = 0
            a = self._primary()
            self.i = 2
            b = self._primary()
            self.i = 3
            return self._apply(toks[1][1], a, b)
        v = self._or()
        if self.i < len(self.toks) and self.toks[self.i] == ("op", "@"):
            self.i += 1
            if self.i >= len(self.toks) or self.toks[self.i][0] != "name":
                raise ExprError("bad relocation suffix")
            suf = self.toks[self.i][1].lower()
            self.i += 1
            if suf not in RELOC_SUFFIXES or (self.i < len(self.toks)
                                             and self.toks[self.i] == ("op", "@")):
                raise ExprError(f"unsupported relocation @{suf} (no GOT, PLT or TOC in a "
                                f"flat image)")
            self.used_suffix = suf
            v = (apply_suffix(v[0], suf), None)
        if self.i != len(self.toks):
            raise ExprError(f"junk at end of expression: `{''.join(t[1] for t in self.toks[self.i:])}'")
        return v

    # helpers
    def _peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def _abs(self, v, op):
        if v[1] is not None:
            raise ExprError(f"invalid operands (section-relative value) for `{op}'")
        return v[0]

    def _binary(self, ops, sub):
        v = sub()
        while True:
            k, t = self._peek()
            if k == "op" and t in ops:
                self.i += 1
                w = sub()
                v = self._apply(t, v, w)
            else:
                return v

    def _apply(self, op, a, b):
        if op == "+":
            if a[1] is not None and b[1] is not None:
                raise ExprError("invalid operands (both relocatable) for `+'")
            return (a[0] + b[0], a[1] or b[1])
        if op == "-":
            if b[1] is not None:
                if a[1] != b[1]:
                    raise ExprError("invalid operands (different sections) for `-'")
                return (a[0] - b[0], None)
            return (a[0] - b[0], a[1])
        x, y = self._abs(a, op), self._abs(b, op)
        if op == "*":
            return (x * y, None)
        if op in ("/", "%"):
            if y == 0:
                raise ExprError("division by zero")
            q = abs(x) // abs(y)
            if (x < 0) != (y < 0):
                q = -q
            return ((q if op == "/" else x - q * y), None)
        if op == "<<":
            return ((x << y) if 0 <= y < 64 else 0, None)
        if op == ">>":
            return ((x >> y) if 0 <= y < 64 else 0, None)
        if op == "&":
            return (x & y, None)
        if op == "|":
            return (x | y, None)
        if op == "^":
            return (x ^ y, None)
        if op == "!":
            return (x | ~y, None)
        if op in ("==", "!=", "<>", "<", ">", "<=", ">="):
            r = {"==": x == y, "!=": x != y, "<>": x != y, "<": x < y, ">": x > y,
                 "<=": x <= y, ">=": x >= y}[op]
            return (-1 if r else 0, None)
        if op == "&&":
            return (1 if (x and y) else 0, None)
        if op == "||":
            return (1 if (x or y) else 0, None)
        raise ExprError(f"bad operator `{op}'")

    def _or(self):
        return self._binary(("&&", "||"), self._add)

    def _add(self):
        return self._binary(("+", "-", "==", "!=", "<>", "<", ">", "<=", ">="), self._bit)

    def _bit(self):
        return self._binary(("|", "&", "^", "!"), self._mul)

    def _mul(self):
        return self._binary(("*", "/", "%", "<<", ">>"), self._unary)

    def _unary(self):
        k, t = self._peek()
        if k == "op" and t in ("-", "~", "!", "+"):
            self.i += 1
            v = self._unary()
            if t == "+":
                return v
            x = self._abs(v, t)
            return ({"-": -x, "~": ~x, "!": int(not x)}[t], None)
        return self._primary()

    def _primary(self):
        k, t = self._peek()
        if k is None:
            raise ExprError("missing operand")
        self.i += 1
        if k == "num":
            try:
                return (parse_int(t), None)
            except ValueError:
                raise ExprError(f"invalid number `{t}'")
        if k == "chr":
            return (_char_value(t), None)
        if k == "reg":
            name = t[1:].lower()
            if name in REG_NAMES:
                return (REG_NAMES[name], None)
            raise ExprError(f"invalid register `{t}'")
        if k == "name":
            if t == ".":
                if self.dot is None:
                    raise ExprError("`.' not allowed here")
                return self.dot
            low = t.lower()
            if self.allow_regs and low in REG_NAMES:
                return (REG_NAMES[low], None)
            return self.lookup(t)
        if t == "(":
            v = self._or()
            if self._peek() != ("op", ")"):
                raise ExprError("missing `)'")
            self.i += 1
            return v
        raise ExprError(f"syntax error in expression near `{t}'")
