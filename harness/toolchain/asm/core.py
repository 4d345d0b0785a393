"""GNU-as-compatible front end: preprocessing, directives, two-pass layout.

Pass 1 walks the source (expanding .include/.macro/.rept/.irp/.if), assigns
section offsets (every instruction is 4 bytes) and records events.  Sections
are then placed like `ld -N -Ttext=0` would, and pass 2 evaluates every
expression with final addresses and encodes the instructions.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from harness.errors import UserError
from harness.toolchain.asm import encode as enc
from harness.toolchain.asm.expr import Evaluator, ExprError, UndefinedSymbol, parse_int
from harness.toolchain.elf import write_elf


class AsmError(UserError):
    """An assembly error at file:line; `str()` is one line."""

    def __init__(self, file, line, text, message):
        self.file = file
        self.line = int(line)
        self.text = (text or "").strip()
        self.message = message
        super().__init__(str(self))

    def __str__(self):
        return f"{self.file}:{self.line}: error: {self.message}: {self.text}"


class Loc(NamedTuple):
    """Where a statement comes from (a tuple: millions are made per large source)."""
    file: str
    line: int
    text: str
    note: str = ""      # e.g. "in macro `foo' invoked at x.S:3"


@dataclass
class AsmResult:
    image: bytes
    symbols: dict
    entry: int
    lines: list
    sections: list = field(default_factory=list)   # [(name, addr, size, is_code)]

    def to_elf(self) -> bytes:
        return write_elf(self.image, base=0, entry=self.entry, symbols=self.symbols,
                         sections=self.sections)


class _Section:
    def __init__(self, name, flags=""):
        self.name = name
        self.size = 0
        self.align = 1
        self.code = name == ".text" or name.startswith(".text.") or "x" in flags
        self.write = name in (".data", ".bss", ".sdata", ".tbss", ".tdata") or \
            name.startswith((".data.", ".bss.")) or "w" in flags
        self.nobits = name == ".bss" or name.startswith(".bss.")
        self.base = 0


class _Deferred:
    def __init__(self, expr, loc, dot):
        self.expr, self.loc, self.dot = expr, loc, dot
        self.busy = False


@dataclass
class _Macro:
    name: str
    params: list          # [(name, default, kind)] kind: "", "req", "vararg"
    body: list            # [Loc]
    loc: Loc


_LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$]*|\d+)\s*:(?![:=])")
_ASSIGN = re.compile(r"^\s*([A-Za-z_.$][\w.$]*)\s*=(?!=)\s*(.*)$")
_WORD = re.compile(r"^\s*([A-Za-z_.$][\w.$]*[+-]?)(?:\s+(.*))?$", re.S)
_HAS_LOCALREF = re.compile(r"\d[bf]").search
_LOCALREF = re.compile(r"(?<![\w.$\x02])(\d+)([bf])(?![\w.$\x02])")
_IFS = {".if", ".ifdef", ".ifndef", ".ifnotdef", ".ifeq", ".ifne", ".ifgt", ".ifge",
        ".iflt", ".ifle", ".ifc", ".ifnc", ".ifb", ".ifnb", ".ifeqs", ".ifnes"}
_IGNORED = {".globl", ".global", ".type", ".size", ".abiversion", ".file",
            ".ident", ".weak", ".hidden", ".local", ".protected", ".internal", ".localentry",
            ".loc", ".extern", ".gnu_attribute", ".option", ".sbttl", ".title", ".psize",
            ".eject", ".list", ".nolist", ".lflags", ".stabs", ".stabn", ".stabd", ".tc",
            ".warning", ".print", ".symver", ".uleb128_placeholder"}
_DATA_SIZES = {".byte": 1, ".short": 2, ".hword": 2, ".2byte": 2, ".word": 2, ".long": 4,
               ".int": 4, ".4byte": 4, ".quad": 8, ".8byte": 8, ".llong": 8,
               ".dc": 2, ".dc.b": 1, ".dc.w": 2, ".dc.l": 4, ".dc.a": 8, ".dc.q": 8}
# bounds checked before anything is allocated (GNU as has none; a flat image has)
MAX_IMAGE = 1 << 28             # bytes of one section (256 MiB)
MAX_STATEMENTS = 1_000_000      # statements expanded by .rept/.irp/macros (keeps a run < 5 s)


def strip_comments(text: str) -> list[str]:
    """Remove /* */ (multi-line) and `#` comments; return the physical lines."""
    if "/*" not in text and '"' not in text and "'" not in text:
        return [ln.partition("#")[0] for ln in text.split("\n")]
    i, n = 0, len(text)
    buf = []
    in_str = False
    in_block = False
    while i < n:
        c = text[i]
        if in_block:
            if text.startswith("*/", i):
                in_block = False
                i += 2
                continue
            if c == "\n":
                buf.append("\n")
            i += 1
            continue
        if in_str:
            buf.append(c)
            if c == "\\" and i + 1 < n:
                buf.append(text[i + 1])
                i += 2
                continue
            if c == '"' or c == "\n":
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            buf.append(c)
        elif text.startswith("/*", i):
            in_block = True
            i += 2
            continue
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c == "'" and i + 1 < n and text[i + 1] != "\n":
            # character constant: 'c or '\c  (keep `#`, `;` etc. literal)
            if text[i + 1] == "\\" and i + 2 < n:
                buf.append(text[i:i + 3])
                i += 3
            else:
                buf.append(text[i:i + 2])
                i += 2
            continue
        else:
            buf.append(c)
        i += 1
    return "".join(buf).split("\n")


def split_statements(line: str) -> list[str]:
    if ";" not in line:
        return [line]
    out, cur, in_str, i = [], [], False, 0
    while i < len(line):
        c = line[i]
        if in_str:
            cur.append(c)
            if c == "\\" and i + 1 < len(line):
                cur.append(line[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            cur.append(c)
        elif c == "'" and i + 1 < len(line):
            cur.append(line[i:i + 2])
            i += 1
        elif c == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


_ESC = {"n": 10, "t": 9, "r": 13, "b": 8, "f": 12, "v": 11, "a": 7, "\\": 92, '"': 34,
        "'": 39, "e": 27}


def parse_strings(text: str) -> list[bytes]:
    """`"a", "b\\n"` -> [b"a", b"b\\n"]"""
    res = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t,":
            i += 1
        if i >= n:
            break
        if text[i] != '"':
            raise ExprError(f"expected string, got `{text[i:].strip()}'")
        i += 1
        b = bytearray()
        while True:
            if i >= n:
                raise ExprError("unterminated string")
            c = text[i]
            if c == '"':
                i += 1
                break
            if c == "\\":
                i += 1
                e = text[i:i + 1]
                if e in "01234567" and e:
                    j = i
                    while j < n and j < i + 3 and text[j] in "01234567":
                        j += 1
                    b.append(int(text[i:j], 8) & 0xFF)
                    i = j
                    continue
                if e in ("x", "X"):
                    j = i + 1
                    while j < n and text[j] in "0123456789abcdefABCDEF":
                        j += 1
                    b.append(int(text[i + 1:j] or "0", 16) & 0xFF)
                    i = j
                    continue
                b.append(_ESC.get(e, ord(e or "\\")))
                i += 1
                continue
            b.extend(c.encode("latin-1", "replace"))
            i += 1
        res.append(bytes(b))
    return res


class Assembler:
    def __init__(self, filename, defsyms=None, include_dirs=(), cpu=None):
        self.filename = filename
        try:
            self.cpu = enc.cpu_flags(cpu)
        except enc.EncodeError as e:
            raise UserError(f"{filename}: {e}")
        self.sticky = enc.parse_cpu(0, 0, cpu)[1] if cpu and enc.parse_cpu(0, 0, cpu) else 0
        self.machine_stack = []
        self.expanded = 0
        self.altmacro = False
        self.local_names = 0
        self._plain = {}            # statement text -> (mnemonic, operands, size)
        self._encoded = {}          # (mnemonic, operands, cpu) -> (word, size), symbol-free
        self.include_dirs = list(include_dirs)
        self.sections: dict[str, _Section] = {}
        self.section_stack = []
        self.cur = self._section(".text")
        self.prev = self.cur
        self.labels: dict[str, tuple] = {}      # name -> (offset, section name)
        self.sets: dict[str, object] = {}       # name -> (value, sec) | _Deferred
        self.set_order: list = []
        for k, v in (defsyms or {}).items():
            self.sets[k] = (int(v), None)
        self.macros: dict[str, _Macro] = {}
        self.events: list = []
        self.local_count: dict[str, int] = {}
        self.stack: list = []                   # input stack: [list, index, kind, name]
        self.cond: list = []                    # [active, taken, parent_active, loc]
        self.macro_counter = 0
        self.ended = False
        self.depth = 0

    # ----------------------------------------------------------------- utils
    def _section(self, name, flags=""):
        s = self.sections.get(name)
        if s is None:
            s = self.sections[name] = _Section(name, flags)
        return s

    def err(self, loc: Loc, msg):
        if loc.note:
            msg = f"{msg} ({loc.note})"
        return AsmError(loc.file, loc.line, loc.text, msg)

    def _lookup1(self, name):
        if name in self.labels:
            off, sec = self.labels[name]
            return (off, sec)
        if name in self.sets:
            v = self.sets[name]
            if isinstance(v, _Deferred):
                return self._eval_deferred(v, self._lookup1)
            return v
        raise UndefinedSymbol(self._pretty(name))

    @staticmethod
    def _pretty(name):
        if "\x02" in name:
            return name.split("\x02")[1]
        return name

    def _eval_deferred(self, d, lookup):
        if d.busy:
            raise ExprError("recursive symbol definition")
        d.busy = True
        try:
            return Evaluator(lookup, dot=d.dot).evaluate(d.expr)
        finally:
            d.busy = False

    def eval1(self, text, loc, dot=True):
        """Evaluate in pass 1 (labels section-relative)."""
        ev = Evaluator(self._lookup1, dot=(self.cur.size, self.cur.name) if dot else None)
        try:
            return ev.evaluate(self._locals(text))
        except UndefinedSymbol as e:
            raise self.err(loc, f"undefined symbol `{e.name}' in expression needed now")
        except ExprError as e:
            raise self.err(loc, str(e))

    def eval_abs1(self, text, loc):
        v, sec = self.eval1(text, loc)
        if sec is not None:
            raise self.err(loc, "expression must be absolute")
        return v

    def _locals(self, text):
        if not any(ch.isdigit() for ch in text):
            return text

        def rep(m):
            n, d = m.group(1), m.group(2)
            k = self.local_count.get(n, 0)
            if d == "b":
                if k == 0:
                    return m.group(0)   # left as-is: undefined
                return f".L\x02{n}\x02{k - 1}"
            return f".L\x02{n}\x02{k}"
        # do not touch text inside strings
        if '"' in text:
            parts = text.split('"')
            for i in range(0, len(parts), 2):
                parts[i] = _LOCALREF.sub(rep, parts[i])
            return '"'.join(parts)
        return _LOCALREF.sub(rep, text)

    # ----------------------------------------------------------------- input
    def push_text(self, text, filename, kind="file", note=""):
        if not any(c in text for c in ('/*', '"', "'", ";")):     # the common case, fast
            locs = [Loc(filename, i, st, note) for i, st in
                    enumerate((ln.partition("#")[0].strip() for ln in text.split("\n")), 1) if st]
            return self.push(locs, kind, filename)
        locs = []
        for i, line in enumerate(strip_comments(text), 1):
            for st in split_statements(line):
                if st.strip():
                    locs.append(Loc(filename, i, st.strip(), note))
        self.push(locs, kind, filename)

    def push(self, locs, kind, name=""):
        self.depth += 1
        if self.depth > 200:
            raise AsmError(locs[0].file if locs else self.filename, locs[0].line if locs else 0,
                           locs[0].text if locs else "", "macros nested too deeply")
        self.stack.append([locs, 0, kind, name, len(self.cond)])

    def next_loc(self):
        while self.stack:
            top = self.stack[-1]
            if top[1] < len(top[0]):
                top[1] += 1
                return top[0][top[1] - 1]
            self.stack.pop()
            self.depth -= 1
        return None

    def collect(self, start_loc, openers, closer):
        """Collect raw statements until the matching `closer` directive."""
        body = []
        depth = 1
        top = self.stack[-1] if self.stack else None
        while True:
            if top is None or top[1] >= len(top[0]):
                raise self.err(start_loc, f"unterminated {start_loc.text.split()[0]} "
                                          f"(missing {closer})")
            loc = top[0][top[1]]
            top[1] += 1
            word = loc.text.split(None, 1)[0].lower() if loc.text else ""
            m = _LABEL.match(loc.text)
            if m and not loc.text.startswith("."):
                rest = loc.text[m.end():].strip()
                word = rest.split(None, 1)[0].lower() if rest else ""
            if word in openers:
                depth += 1
            elif word == closer or (closer == ".endr" and word == ".endr"):
                depth -= 1
                if depth == 0:
                    return body
            body.append(loc)

    # ----------------------------------------------------------------- pass 1
    def run(self, text):
        self.push_text(text, self.filename)
        while not self.ended:
            loc = self.next_loc()
            if loc is None:
                break
            self.statement(loc)
        if self.cond and not self.ended:
            raise self.err(self.cond[-1][3], "unterminated .if (missing .endif)")

    @property
    def active(self):
        return not self.cond or self.cond[-1][0]

    def statement(self, loc: Loc):
        text = loc.text
        fast = self._plain.get(text)        # a plain instruction statement seen before
        if fast is not None and (not self.cond or self.cond[-1][0]) and \
                fast[0] not in self.macros and fast[2] not in self.macros:
            cur = self.cur
            if not cur.size & 3:
                self.events.append(("insn", cur, cur.size, fast[0], fast[1], loc, self.cpu))
                cur.size += 4
                return
        # conditionals are handled even when inactive
        word = text.split(None, 1)[0].lower() if text else ""
        if word in _IFS or word in (".else", ".elseif", ".endif"):
            return self.conditional(word, text[len(word):].strip(), loc)
        if not self.active:
            return
        labels = []
        while True:
            m = _LABEL.match(text)
            if not m:
                break
            labels.append(m.group(1))
            text = text[m.end():].strip()
        word0 = text.split(None, 1)[0].lower() if text else ""
        if labels and not (word0 and not word0.startswith(".") and
                           enc.insn_size(word0, self.cpu) == 8 and word0 not in self.macros):
            for name in labels:
                self.define_label(name, loc)
            labels = []
        if not text:
            return
        m = _ASSIGN.match(text)
        if m and not text.lstrip().startswith("."):
            return self.do_set(m.group(1), m.group(2), loc)
        if m and text.lstrip().startswith(".") and m.group(1) == ".":
            return self.do_org(m.group(2), loc)
        m = _WORD.match(text)
        if not m:
            raise self.err(loc, "junk at start of statement")
        word, args = m.group(1), (m.group(2) or "").strip()
        lw = word.lower()
        if word in self.macros or lw in self.macros:
            return self.expand_macro(self.macros.get(word) or self.macros[lw], args, loc)
        if lw.startswith("."):
            return self.directive(lw, args, loc)
        # instruction
        if self.cur.size & 3:
            raise self.err(loc, "instruction address is not a multiple of 4")
        size = enc.insn_size(lw, self.cpu)
        if size == 8:
            # GNU as: a prefixed instruction may not cross a 64-byte boundary;
            # labels on its line move with it
            if self.cur.size % 64 == 60:
                self.emit_bytes(enc.nop_padding(4, self.cpu) if self.cur.code else bytes(4), loc)
            self.cur.align = max(self.cur.align, 64)
            for name in labels:
                self.define_label(name, loc)
        largs = self._locals(args)
        self.events.append(("insn", self.cur, self.cur.size, lw, largs, loc, self.cpu))
        self.cur.size += size
        if not labels and size == 4 and text == loc.text and largs == args and \
                not _HAS_LOCALREF(args):
            self._plain[text] = (lw, args, word)

    def define_label(self, name, loc):
        if name.isdigit():
            k = self.local_count.get(name, 0)
            self.local_count[name] = k + 1
            name = f".L\x02{name}\x02{k}"
        elif name in self.labels or (name in self.sets):
            raise self.err(loc, f"symbol `{name}' is already defined")
        self.labels[name] = (self.cur.size, self.cur.name)

    def do_set(self, name, expr, loc, equiv=False):
        if name in self.labels:
            raise self.err(loc, f"symbol `{name}' is already defined")
        if equiv and name in self.sets:
            raise self.err(loc, f"symbol `{name}' is already defined")
        expr = self._locals(expr)
        dot = (self.cur.size, self.cur.name)
        try:
            val = Evaluator(self._lookup1, dot=dot).evaluate(expr)
        except UndefinedSymbol:
            val = _Deferred(expr, loc, dot)
        except ExprError as e:
            raise self.err(loc, str(e))
        self.sets[name] = val
        self.events.append(("set", self.cur, self.cur.size, name, expr, loc))

    def conditional(self, word, args, loc):
        if word in _IFS:
            parent = self.active
            if not parent:
                self.cond.append([False, True, False, loc])
                return
            self.cond.append([False, False, True, loc])
            res = self.eval_cond(word, args, loc)
            self.cond[-1][0] = res
            self.cond[-1][1] = res
            return
        if not self.cond:
            raise self.err(loc, f"{word} without .if")
        top = self.cond[-1]
        if word == ".endif":
            self.cond.pop()
        elif word == ".else":
            top[0] = top[2] and not top[1]
            top[1] = True
        else:  # .elseif
            if top[2] and not top[1]:
                res = self.eval_cond(".if", args, loc)
                top[0] = res
                top[1] = res
            else:
                top[0] = False

    def eval_cond(self, word, args, loc):
        if word in (".ifdef", ".ifndef", ".ifnotdef"):
            name = args.strip()
            if not re.fullmatch(r"[A-Za-z_.$][\w.$]*", name):
                raise self.err(loc, "invalid identifier for .ifdef")
            d = name in self.labels or name in self.sets
            return d if word == ".ifdef" else not d
        if word in (".ifb", ".ifnb"):
            return (not args.strip()) == (word == ".ifb")
        if word in (".ifc", ".ifnc", ".ifeqs", ".ifnes"):
            a, b = self._two_strings(args, loc)
            return (a == b) == (word in (".ifc", ".ifeqs"))
        v = self.eval_abs1(args, loc)
        return {".if": v != 0, ".ifne": v != 0, ".ifeq": v == 0, ".ifgt": v > 0,
                ".ifge": v >= 0, ".iflt": v < 0, ".ifle": v <= 0}[word]

    def _two_strings(self, args, loc):
        parts = enc.split_operands(args)
        if len(parts) != 2:
            raise self.err(loc, "expected two strings separated by a comma")

        def unq(s):
            s = s.strip()
            if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
                return s[1:-1]
            return s
        return unq(parts[0]), unq(parts[1])

    # ----------------------------------------------------------------- macros
    def define_macro(self, args, loc):
        m = re.match(r"([A-Za-z_.$][\w.$]*)\s*,?\s*(.*)$", args.strip())
        if not m:
            raise self.err(loc, "expected macro name")
        name, rest = m.group(1), m.group(2)
        params = []
        for p in (re.split(r"\s*,\s*|\s+(?![^=]*\")", rest.strip()) if rest.strip() else []):
            p = p.strip()
            if not p:
                continue
            default = None
            kind = ""
            if "=" in p:
                p, default = p.split("=", 1)
                p = p.strip()
                default = default.strip()
                if len(default) >= 2 and default[0] == default[-1] == '"':
                    default = default[1:-1]
            if ":" in p:
                p, kind = p.split(":", 1)
                kind = kind.strip().lower()
            params.append((p.strip(), default, kind))
        body = self.collect(loc, {".macro"}, ".endm")
        self.macros[name] = _Macro(name, params, body, loc)

    def split_macro_args(self, text, nparams):
        text = text.strip()
        if not text:
            return []
        if "," in text or nparams <= 1:
            args = enc.split_operands(text) if nparams > 1 or "," in text else [text]
        else:
            args = []
            for tok in re.findall(r'"[^"]*"|\S+', text):
                args.append(tok)
        return args

    def _alt_arg(self, v, loc):
        """A macro argument in .altmacro mode: %EXPR is its value in decimal,
        <text> and 'text' and "text" are strings, !c is c literally."""
        v = v.strip()
        if v.startswith("%"):
            return str(self.eval_abs1(v[1:], loc))
        if len(v) >= 2 and (v[0], v[-1]) in (("<", ">"), ('"', '"'), ("'", "'")):
            v = v[1:-1]
        return re.sub(r"!(.)", r"\1", v)

    def expand_macro(self, mac: _Macro, args, loc):
        self.expand(len(mac.body), loc, f"macro `{mac.name}'")
        actual = self.split_macro_args(args, len(mac.params))
        values = {}
        pos = 0
        named = {}
        positional = []
        for a in actual:
            m = re.match(r"^([A-Za-z_.$][\w.$]*)\s*=(?!=)(.*)$", a)
            if m and any(p[0] == m.group(1) for p in mac.params):
                named[m.group(1)] = m.group(2).strip()
            else:
                positional.append(a)
        for i, (pname, default, kind) in enumerate(mac.params):
            if kind == "vararg":
                v = ", ".join(positional[pos:])
                pos = len(positional)
            elif pname in named:
                v = named[pname]
            elif pos < len(positional):
                v = positional[pos]
                pos += 1
            else:
                v = None
            if v is None or v == "":
                if kind == "req":
                    raise self.err(loc, f"missing value for required parameter `{pname}' "
                                        f"of macro `{mac.name}'")
                v = default if default is not None else ""
            if self.altmacro:
                v = self._alt_arg(v, loc)
            elif len(v) >= 2 and v[0] == v[-1] == '"':
                v = v[1:-1]
            values[pname] = v
        if pos < len(positional):
            raise self.err(loc, f"too many positional arguments for macro `{mac.name}'")
        counter = self.macro_counter
        self.macro_counter += 1
        body = mac.body
        if self.altmacro:       # LOCAL names: unique per expansion (GNU as: .LL0001 ...)
            body = []
            for bl in mac.body:
                m = re.match(r"(?i)local\s+(.*)$", bl.text)
                if m:
                    for nm in m.group(1).replace(",", " ").split():
                        self.local_names += 1
                        values[nm] = f".LL{self.local_names:04x}"
                    continue
                body.append(bl)
        names = sorted(values, key=len, reverse=True)
        alt = r"|(?<![\\\w.$])(" + "|".join(re.escape(n) for n in names) + r")(?![\w$])" \
            if self.altmacro and names else ""
        pat = re.compile(r"\\(" + "|".join(re.escape(n) for n in names) + r")(?![\w$])|\\@|\\\(\)"
                         + alt if names else r"\\@|\\\(\)")

        def sub(m):
            s = m.group(0)
            if s == "\\@":
                return str(counter)
            if s == "\\()":
                return ""
            return values[m.group(1) or m.group(2)]
        note = f"in macro `{mac.name}' at {loc.file}:{loc.line}"
        out = []
        for bl in body:
            t = pat.sub(sub, bl.text)
            for st in split_statements(t):
                if st.strip():
                    out.append(Loc(bl.file, bl.line, st.strip(), note))
        self.push(out, "macro", mac.name)

    # ----------------------------------------------------------------- directives
    def directive(self, d, args, loc):
        if d in _IGNORED or d.startswith(".cfi_"):
            return
        if d == ".machine":
            return self.machine(args, loc)
        if d in _DATA_SIZES:
            return self.data(_DATA_SIZES[d], args, loc)
        if d in (".set", ".equ", ".equiv", ".eqv"):
            m = re.match(r"([A-Za-z_.$][\w.$]*)\s*,\s*(.*)$", args, re.S)
            if not m:
                raise self.err(loc, f"bad {d} syntax; expected `NAME, EXPR'")
            if m.group(1) == ".":
                return self.do_org(m.group(2), loc)
            return self.do_set(m.group(1), m.group(2), loc, equiv=(d == ".equiv"))
        if d in (".ascii", ".asciz", ".string"):
            try:
                strs = parse_strings(args)
            except ExprError as e:
                raise self.err(loc, str(e))
            data = b"".join(s + (b"\0" if d != ".ascii" else b"") for s in strs)
            return self.emit_bytes(data, loc)
        if d in (".align", ".p2align", ".balign", ".p2alignw", ".p2alignl", ".balignw",
                 ".balignl"):
            return self.align(d, args, loc)
        if d in (".skip", ".space", ".zero"):
            parts = enc.split_operands(args)
            if not parts or len(parts) > (1 if d == ".zero" else 2):
                raise self.err(loc, f"bad {d} arguments")
            n = self.eval_abs1(parts[0], loc)
            if n < 0:
                raise self.err(loc, f"{d} with negative size")
            fill = self.eval_abs1(parts[1], loc) & 0xFF if len(parts) > 1 else 0
            self.reserve(n, loc, d)
            return self.emit_bytes(bytes([fill]) * n, loc)
        if d == ".fill":
            parts = enc.split_operands(args)
            if not parts or not parts[0]:
                raise self.err(loc, ".fill needs a repeat count")
            rep = self.eval_abs1(parts[0], loc)
            size = self.eval_abs1(parts[1], loc) if len(parts) > 1 else 1
            val = self.eval_abs1(parts[2], loc) if len(parts) > 2 else 0
            size = min(size, 8)
            if rep < 0 or size < 0:
                raise self.err(loc, "bad .fill arguments")
            self.reserve(rep * size, loc, ".fill")
            one = (val & 0xFFFFFFFF).to_bytes(8, "big")[-size:] if size else b""
            if size > 4:
                one = bytes(size - 4) + (val & 0xFFFFFFFF).to_bytes(4, "big")
            return self.emit_bytes(one * rep, loc)
        if d == ".org":
            return self.do_org(args, loc)
        if d in (".text", ".data", ".bss"):
            return self.switch(self._section(d))
        if d in (".section", ".pushsection"):
            parts = enc.split_operands(args)
            if not parts or not parts[0]:
                raise self.err(loc, "missing section name")
            name = parts[0].strip().strip('"')
            flags = parts[1].strip().strip('"') if len(parts) > 1 else ""
            if d == ".pushsection":
                self.section_stack.append(self.cur)
            sec = self._section(name, flags)
            if len(parts) > 2 and parts[2].strip().lstrip("@%") == "nobits":
                sec.nobits = True           # `.section NAME, "aw", @nobits`: no file bytes
            return self.switch(sec)
        if d == ".popsection":
            if not self.section_stack:
                raise self.err(loc, ".popsection without .pushsection")
            return self.switch(self.section_stack.pop())
        if d == ".previous":
            return self.switch(self.prev)
        if d == ".include":
            return self.include(args, loc)
        if d == ".incbin":
            return self.incbin(args, loc)
        if d == ".macro":
            return self.define_macro(args, loc)
        if d == ".endm":
            raise self.err(loc, ".endm without .macro")
        if d == ".exitm":
            while self.stack:
                top = self.stack.pop()
                self.depth -= 1
                if top[2] == "macro":
                    del self.cond[top[4]:]
                    return
            raise self.err(loc, ".exitm outside a macro")
        if d == ".purgem":
            self.macros.pop(args.strip(), None)
            return
        if d == ".rept":
            n = self.eval_abs1(args, loc) if args.strip() else 0
            body = self.collect(loc, {".rept", ".irp", ".irpc"}, ".endr")
            self.expand(max(n, 0) * max(len(body), 1), loc, ".rept")
            out = []
            for _ in range(max(n, 0)):
                out.extend(body)
            if out:
                self.push(out, "rept")
            return
        if d in (".irp", ".irpc"):
            m = re.match(r"([A-Za-z_.$][\w.$]*)\s*,?\s*(.*)$", args.strip(), re.S)
            if not m:
                raise self.err(loc, f"bad {d} syntax")
            sym, rest = m.group(1), m.group(2)
            body = self.collect(loc, {".rept", ".irp", ".irpc"}, ".endr")
            if d == ".irp":
                vals = enc.split_operands(rest) if "," in rest else (rest.split() or [""])
            else:
                vals = list(rest.strip()) or [""]
            pat = re.compile(r"\\" + re.escape(sym) + r"(?![\w$])|\\\(\)")
            self.expand(len(vals) * max(len(body), 1), loc, d)
            out = []
            for v in vals:
                for bl in body:
                    t = pat.sub(lambda mm: "" if mm.group(0) == "\\()" else v, bl.text)
                    for st in split_statements(t):
                        if st.strip():
                            out.append(Loc(bl.file, bl.line, st.strip(), bl.note))
            if out:
                self.push(out, "rept")
            return
        if d == ".endr":
            raise self.err(loc, ".endr without .rept/.irp")
        if d == ".end":
            self.ended = True
            return
        if d in (".error", ".err"):
            msg = args.strip()
            if msg.startswith('"'):
                try:
                    msg = parse_strings(msg)[0].decode("latin-1")
                except ExprError:
                    pass
            raise self.err(loc, msg or ".err encountered")
        if d == ".abort":
            raise self.err(loc, ".abort detected")
        if d in (".altmacro", ".noaltmacro"):
            self.altmacro = d == ".altmacro"
            return
        raise self.err(loc, f"unknown pseudo-op: `{d}'")

    def machine(self, args, loc):
        """`.machine CPU|push|pop` (GNU as ppc_machine): the opcode set and the
        padding of the following code."""
        name = args.strip().strip('"').lower()
        if name == "push":
            if len(self.machine_stack) >= 100:
                raise self.err(loc, ".machine stack overflow")
            self.machine_stack.append(self.cpu)
        elif name == "pop":
            if not self.machine_stack:
                raise self.err(loc, ".machine stack underflow")
            self.cpu = self.machine_stack.pop()
        else:
            fresh = not any(s.size for s in self.sections.values())
            r = enc.parse_cpu(self.cpu, self.sticky if fresh else 0, name)
            if r is None or r[0] == 0:
                raise self.err(loc, f"invalid machine `{name}'")
            self.cpu = r[0]
            if fresh:
                self.sticky = r[1]

    def switch(self, sec):
        if sec is not self.cur:
            self.prev = self.cur
            self.cur = sec

    def reserve(self, n, loc, what):
        """Refuse, before allocating, to grow the section past MAX_IMAGE."""
        if n < 0 or self.cur.size + n > MAX_IMAGE:
            raise self.err(loc, f"{what} of {n:#x} bytes would make section {self.cur.name} "
                                f"larger than the {MAX_IMAGE >> 20} MiB image limit")

    def expand(self, count, loc, what):
        """Refuse repetitions that would expand past MAX_STATEMENTS statements."""
        self.expanded += count
        if self.expanded > MAX_STATEMENTS:
            raise self.err(loc, f"{what} expands to more than {MAX_STATEMENTS} statements")

    def emit_bytes(self, data, loc):
        if data:
            self.events.append(("bytes", self.cur, self.cur.size, bytes(data), loc))
            self.cur.size += len(data)

    def data(self, size, args, loc):
        items = enc.split_operands(self._locals(args))
        if not items or items == [""]:
            return
        for it in items:
            if not it:
                raise self.err(loc, "missing expression")
        self.events.append(("data", self.cur, self.cur.size, size, items, loc))
        self.cur.size += size * len(items)

    def do_org(self, args, loc):
        parts = enc.split_operands(args)
        if not parts or not parts[0]:
            raise self.err(loc, ".org needs an address")
        v, sec = self.eval1(parts[0], loc)
        if sec is not None and sec != self.cur.name:
            raise self.err(loc, "attempt to .org to another section")
        fill = self.eval_abs1(parts[1], loc) & 0xFF if len(parts) > 1 else 0
        if v < self.cur.size:
            raise self.err(loc, "attempt to move .org backwards")
        self.reserve(v - self.cur.size, loc, ".org")
        self.emit_bytes(bytes([fill]) * (v - self.cur.size), loc)

    def align(self, d, args, loc):
        parts = enc.split_operands(args)
        if not parts or not parts[0]:
            raise self.err(loc, f"{d} needs an argument")
        n = self.eval_abs1(parts[0], loc)
        if d in (".align", ".p2align", ".p2alignw", ".p2alignl"):
            if not 0 <= n <= 31:
                raise self.err(loc, f"alignment too large: {n}")
            amount = 1 << n
        else:
            amount = n
            if amount <= 0:
                amount = 1
            if amount & (amount - 1):
                raise self.err(loc, "alignment not a power of 2")
        fill = None
        if len(parts) > 1 and parts[1].strip():
            fill = self.eval_abs1(parts[1], loc)
        maxskip = None
        if len(parts) > 2 and parts[2].strip():
            maxskip = self.eval_abs1(parts[2], loc)
        count = (-self.cur.size) % amount
        if maxskip is not None and count > maxskip:
            return
        self.reserve(count, loc, d)
        if amount > self.cur.align:
            self.cur.align = amount
        if count == 0:
            return
        if fill is not None:
            w = 2 if d.endswith("w") else 4 if d.endswith("l") else 1
            if count % w:
                raise self.err(loc, f"alignment padding ({count} bytes) not a multiple of {w}")
            pat = (fill & ((1 << (8 * w)) - 1)).to_bytes(w, "big")
            data = (pat * (count // w + 1))[:count]
        elif self.cur.code:
            data = enc.nop_padding(count, self.cpu)
        else:
            data = bytes(count)
        self.events.append(("bytes", self.cur, self.cur.size, data, loc))
        self.cur.size += count

    def _find_file(self, name, loc):
        if os.path.isabs(name):
            return name if os.path.isfile(name) else None
        dirs = [os.path.dirname(loc.file) if loc.file not in ("<stdin>", "") else "."]
        dirs += self.include_dirs + ["."]
        for dd in dirs:
            p = os.path.join(dd, name)
            if os.path.isfile(p):
                return p
        return None

    def include(self, args, loc):
        name = args.strip()
        if name.startswith('"'):
            try:
                name = parse_strings(name)[0].decode()
            except ExprError as e:
                raise self.err(loc, str(e))
        path = self._find_file(name, loc)
        if path is None:
            raise self.err(loc, f"can't open {name} for reading: No such file or directory")
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
        except OSError as e:
            raise self.err(loc, f"can't read {name}: {e.strerror}")
        if self.depth > 50:
            raise self.err(loc, ".include nested too deeply")
        self.push_text(text, path if os.path.dirname(loc.file) or os.path.isabs(path) else name,
                       "file")

    def incbin(self, args, loc):
        parts = enc.split_operands(args)
        if not parts or not parts[0]:
            raise self.err(loc, ".incbin needs a file name")
        name = parse_strings(parts[0])[0].decode() if parts[0].startswith('"') else parts[0]
        path = self._find_file(name, loc)
        if path is None:
            raise self.err(loc, f"file not found: {name}")
        self.reserve(os.path.getsize(path), loc, ".incbin")
        with open(path, "rb") as f:
            data = f.read()
        skip = self.eval_abs1(parts[1], loc) if len(parts) > 1 else 0
        count = self.eval_abs1(parts[2], loc) if len(parts) > 2 else len(data) - skip
        if skip < 0 or count < 0:
            raise self.err(loc, ".incbin skip and count must not be negative")
        self.reserve(len(data[skip:skip + count]), loc, ".incbin")
        self.emit_bytes(data[skip:skip + count], loc)

    # ----------------------------------------------------------------- layout
    def layout(self):
        """Place sections like `ld -N -Ttext=0`: .text, other code, read-only, data."""
        secs = [s for s in self.sections.values() if s.size or s.name == ".text"]
        text = [s for s in secs if s.name == ".text"]
        code = [s for s in secs if s.code and s.name != ".text"]
        ro = [s for s in secs if not s.code and not s.write and not s.nobits]
        ro.sort(key=lambda s: 0 if s.name.startswith(".rodata") else 1)
        rw = [s for s in secs if s.write and not s.nobits]
        rw.sort(key=lambda s: 0 if s.name.startswith(".data") else 1)
        bss = [s for s in secs if s.nobits]
        order = text + code + ro + rw + bss
        addr = 0
        first_rw = (rw + bss)[0] if (rw + bss) else None
        for s in order:
            if s is first_rw:       # ld: .opd/.toc1/.branch_lt are ALIGN(8) before .data
                addr = (addr + 7) & ~7
            addr = (addr + s.align - 1) & ~(s.align - 1)
            s.base = addr
            addr += s.size
        return order

    # ----------------------------------------------------------------- pass 2
    def pass2(self):
        order = self.layout()
        end = max([s.base + s.size for s in order if not s.nobits] or [0])
        image = bytearray(end)
        symtab: dict[str, tuple] = {}
        # In pass 2 every address is final; relocatable values carry the
        # marker "*" (GNU as: a branch to an absolute value encodes it as the
        # displacement itself, a branch to a label is PC-relative).
        for name, (off, sec) in self.labels.items():
            symtab[name] = (off + self.sections[sec].base, "*")

        def absval(v):
            val, sec = v
            if sec is None or sec == "*":
                return v
            return (val + self.sections[sec].base, "*")

        current_sets: dict[str, object] = {}
        for name, v in self.sets.items():       # final values, for forward references
            current_sets[name] = v

        def lookup(name):
            if name in symtab:
                return symtab[name]
            if name in current_sets:
                v = current_sets[name]
                if isinstance(v, _Deferred):
                    return absval(self._eval_deferred(v, lookup))
                return absval(v)
            raise UndefinedSymbol(self._pretty(name))

        lines = []
        encoded = {}        # symbol-free 4-byte encodings, as bytes
        for ev in self.events:
            kind, sec, off = ev[0], ev[1], ev[2]
            addr = sec.base + off
            if kind == "set":
                name, expr, loc = ev[3], ev[4], ev[5]
                try:
                    r = Evaluator(lookup, dot=(addr, "*")).evaluate(expr)
                except UndefinedSymbol as e:
                    raise self.err(loc, f"undefined symbol `{e.name}'")
                except ExprError as e:
                    raise self.err(loc, str(e))
                current_sets[name] = r
                continue
            if sec.nobits:
                continue
            if kind == "bytes":
                data = ev[3]
                image[addr:addr + len(data)] = data
                lines.append((addr, ev[4].file, ev[4].line))
                continue
            if kind == "data":
                size, items, loc = ev[3], ev[4], ev[5]
                out = bytearray()
                for i, it in enumerate(items):
                    try:
                        v, _sec = Evaluator(lookup, dot=(addr + i * size, "*")).evaluate(it)
                    except UndefinedSymbol as e:
                        raise self.err(loc, f"undefined symbol `{e.name}'")
                    except ExprError as e:
                        raise self.err(loc, str(e))
                    out += (v & ((1 << (8 * size)) - 1)).to_bytes(size, "big")
                image[addr:addr + len(out)] = out
                lines.append((addr, loc.file, loc.line))
                continue
            # instruction
            hit = encoded.get((ev[3], ev[4], ev[6]))
            if hit is not None:
                image[addr:addr + 4] = hit
                lines.append((addr, ev[5].file, ev[5].line))
                continue
            mn, args, loc = ev[3], ev[4], ev[5]
            word, size = self.encode(mn, args, addr, lookup, loc, ev[6])
            if (mn, args, ev[6]) in self._encoded and size == 4:
                encoded[(mn, args, ev[6])] = word.to_bytes(4, "big")
            image[addr:addr + size] = word.to_bytes(size, "big")
            lines.append((addr, loc.file, loc.line))
        lines.sort(key=lambda t: t[0])
        symbols = {}
        for name, (v, _s) in symtab.items():
            if "\x02" not in name:
                symbols[name] = v & 0xFFFFFFFFFFFFFFFF
        for name in self.sets:          # address-like .set symbols (e.g. `.set x, label+4`)
            try:
                v, sec = lookup(name)
            except (ExprError, UndefinedSymbol):
                continue
            if sec is not None:
                symbols.setdefault(name, v & 0xFFFFFFFFFFFFFFFF)
        self.all_symbols = {}
        for name in self.sets:
            try:
                self.all_symbols[name] = lookup(name)[0]
            except (ExprError, UndefinedSymbol):
                pass
        self.all_symbols.update(symbols)
        entry = symbols.get("_start", 0) if "_start" in self.labels else 0
        if "_start" in self.sets and "_start" not in self.labels:
            entry = symbols.get("_start", 0)
        sections = [(s.name, s.base, s.size, s.code) for s in order if s.size]
        return AsmResult(bytes(image), symbols, entry, lines, sections)

    def encode(self, mn, args, addr, lookup, loc, cpu):
        key = (mn, args, cpu)
        hit = self._encoded.get(key)
        if hit is not None:
            return hit
        used = []

        def watched(name):
            used.append(name)
            return lookup(name)

        def evaluate(text):
            ev = Evaluator(watched, dot=(addr, "*"))
            v, sec = ev.evaluate(text)
            return v, ev.used_suffix, sec is not None
        try:
            res = enc.encode(mn, args, addr, evaluate, cpu)
            if not used and "." not in args:        # no symbol, no `.`: same bytes anywhere
                self._encoded[key] = res
            return res
        except UndefinedSymbol as e:
            raise self.err(loc, f"undefined symbol `{e.name}'")
        except (enc.EncodeError, ExprError) as e:
            raise self.err(loc, str(e))


# ----------------------------------------------------------------------- API
def assemble(source: str, *, filename: str = "<stdin>", defsyms=None, include_dirs=(),
             cpu=None) -> AsmResult:
    a = Assembler(filename, defsyms, include_dirs, cpu=cpu)
    try:
        a.run(source)
        return a.pass2()
    except RecursionError:
        raise AsmError(filename, 0, "", "expression or macro recursion too deep")


def assemble_file(path: str, *, defsyms=None, include_dirs=(), cpu=None) -> AsmResult:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}")
    dirs = [os.path.dirname(path) or "."] + list(include_dirs)
    return assemble(text, filename=path, defsyms=defsyms, include_dirs=dirs, cpu=cpu)


def parse_defsym(text: str) -> tuple[str, int]:
    name, eq, value = text.partition("=")
    name = name.strip()
    if not eq or not re.fullmatch(r"[A-Za-z_.$][\w.$]*", name):
        raise UserError(f"bad --defsym `{text}': expected NAME=VALUE")
    try:
        return name, parse_int(value)
    except ValueError:
        raise UserError(f"bad --defsym `{text}': `{value.strip()}' is not a number")
