"""The command interpreter of `ppcvec debug` (the stepper); gdb `monitor`
commands reuse it (harness/debug/gdbstub.py)."""
from __future__ import annotations

import shlex

from emu.memory import MemoryError_

from harness.errors import UserError
from harness.run.report import insn_text



from harness.debug.session import DebugError, Session, parse_int


HELP = """\
commands:
  step | stepi [N]         execute one instruction (N times) on the current CPU; an sc, scv
                           or faulting instruction is one step that lands in the handler
  next [N]                 like step, but runs a call (branch with LK=1) to its return
  continue                 run every CPU until a breakpoint, watch point or the end
  break ADDR|SYMBOL        stop before executing ADDR (number, symbol, sym+off); a symbol
                           also stops where its code runs at 0xc000000000000000 + address
  break vector V           stop after an interrupt is delivered to exactly V (0xf60 real
                           mode, 0xc000000000004f60 AIL=3, 0x17000 scv real mode, ...)
  break interrupt KIND     stop after an interrupt of KIND is delivered
                           (scv, sc, fu, program, hfu, heai, dsi, ..., any)
  watch spr NAME           stop when a privileged register changes (lpcr, fscr, msr, ...)
  breaks                   list breakpoints, interrupt/vector breaks and watch points
  delete [ID]              delete breakpoint ID (all stop conditions without ID)
  regs                     GPRs, pc, msr, cr, lr, ctr, xer
  sprs                     privileged registers, MSR/LPCR/FSCR decoded
  ail                      where interrupts taken now would go, and why (AIL rule)
  disas [ADDR] [N]         disassemble N instructions (default 8) at ADDR (default pc)
  x ADDR [LEN]             dump LEN bytes (default 64) at effective address ADDR
  x real ADDR [LEN]        the same at a real (physical) address
  events [all]             interrupts delivered so far (all: SPR writes and halts too)
  cpu [N]                  show or select the current CPU
  help                     this text
  quit                     leave"""

RUN_COMMANDS = ("step", "stepi", "next", "continue", "cpu", "quit")
COMMAND_WORDS = ("step", "stepi", "next", "continue", "break", "watch", "breaks", "delete",
                 "regs", "sprs", "ail", "disas", "x", "events", "cpu", "help", "quit")
ALIASES = {"s": "step", "si": "stepi", "n": "next", "ni": "next", "c": "continue",
           "cont": "continue", "b": "break", "q": "quit", "exit": "quit", "info": "breaks",
           "disassemble": "disas", "r": "regs", "registers": "regs"}


class Debugger:
    """The command interpreter of `ppcvec debug` (and gdb `monitor`)."""

    def __init__(self, session: Session, write=print):
        self.s = session
        self.write = write
        self.done = False
        self.failures = 0

    def emit(self, lines) -> None:
        for ln in lines:
            self.write(ln)

    def banner(self) -> list[str]:
        s = self.s
        n = len(s.m.cpus)
        return [f"ppcvec debug: {s.description} on {s.machine_name} ({s.cpu_name}, "
                f"{n} CPU{'s' if n > 1 else ''}); `help` lists commands",
                s.location()]

    def execute(self, line: str, allow_run: bool = True) -> None:
        """Run one command line; errors are printed, never raised."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            self.write(f"error: {e}")
            self.failures += 1
            return
        if not words:
            return
        cmd = ALIASES.get(words[0], words[0])
        args = words[1:]
        fn = getattr(self, "cmd_" + cmd, None) if cmd in COMMAND_WORDS else None
        if fn is None:
            self.write(f"unknown command {words[0]!r} (`help` lists commands)")
            self.failures += 1
            return
        if not allow_run and cmd in RUN_COMMANDS:
            self.write(f"{cmd}: not available here (use gdb's own commands)")
            self.failures += 1
            return
        try:
            fn(args)
        except (DebugError, UserError, MemoryError_) as e:
            self.write(f"error: {e}")
            self.failures += 1

    # ------------------------------------------------------------ execution
    def _count(self, args) -> int:
        n = parse_int(args[0]) if args else 1
        if n < 1:
            raise DebugError("the count must be positive")
        return n

    def cmd_step(self, args) -> None:
        n = self._count(args)
        for _ in range(n):
            st = self.s.step()
            self.emit(self.s.describe_stop(st, verbose_interrupts=True))
            if st.reason != "step" or st.trigger is not None:
                break
        self.write(self.s.location())

    cmd_stepi = cmd_step

    def cmd_next(self, args) -> None:
        n = self._count(args)
        for _ in range(n):
            s = self.s
            c = s.m.cpus[s.cur]
            word = s.insn_at(c.pc)
            if word is not None and _is_call(word):
                ret = c.pc + 4
                temp = ret not in s.m.breakpoints
                if temp:
                    s.m.set_breakpoints(set(s.m.breakpoints) | {ret})
                try:
                    st = s.step()
                    if st.reason == "step" and st.trigger is None and c.pc != ret:
                        st = s.cont()
                finally:
                    if temp:
                        s._apply_breakpoints()
                if st.reason == "breakpoint" and c.pc == ret and temp:
                    st.message = ""
            else:
                st = s.step()
            self.emit(s.describe_stop(st, verbose_interrupts=st.reason == "step"))
            if st.message or st.trigger is not None:
                break
        self.write(self.s.location())

    def cmd_continue(self, args) -> None:
        if args:
            raise DebugError("continue takes no arguments")
        st = self.s.cont()
        self.s.cur = st.cpu
        self.emit(self.s.describe_stop(st, verbose_interrupts=False))
        self.write(self.s.location())

    def cmd_quit(self, args) -> None:
        self.done = True

    def cmd_cpu(self, args) -> None:
        if args:
            n = parse_int(args[0])
            if not 0 <= n < len(self.s.m.cpus):
                raise DebugError(f"no cpu {n} (this machine has {len(self.s.m.cpus)})")
            self.s.cur = n
        self.write(self.s.location())

    # ------------------------------------------------------------ stop conditions
    def cmd_break(self, args) -> None:
        if not args:
            raise DebugError("usage: break ADDR|SYMBOL | break vector V | break interrupt KIND")
        if args[0] == "vector":
            if len(args) != 2:
                raise DebugError("usage: break vector V (e.g. break vector 0xf60)")
            v = self.s.eval_addr(args[1])
            self.s.break_vector(v)
            self.write(f"break vector {v:#x}")
            return
        if args[0] == "interrupt":
            if len(args) != 2:
                raise DebugError("usage: break interrupt scv|sc|fu|program|...|any")
            self.s.break_interrupt(args[1])
            self.write(f"break interrupt {args[1]}")
            return
        if len(args) != 1:
            raise DebugError("usage: break ADDR|SYMBOL")
        addr = self.s.eval_addr(args[0])
        bid = self.s.add_break(addr, alias=self.s.names_symbol(args[0]))
        other = self.s.break_aliases.get(bid)
        also = f" (and {other:#x}, where it runs through the kernel map)" if other else ""
        self.write(f"breakpoint {bid} at {addr:#x}{self.s.symbolize(addr)}{also}")

    def cmd_watch(self, args) -> None:
        if len(args) != 2 or args[0] != "spr":
            raise DebugError("usage: watch spr NAME (lpcr, fscr, hfscr, msr, srr0, ...)")
        self.s.watch_spr(args[1])
        self.write(f"watch spr {args[1].lower()}")

    def cmd_breaks(self, args) -> None:
        s = self.s
        lines = [f"breakpoint {bid} at {a:#x}{s.symbolize(a)}"
                 + (f" (and {s.break_aliases[bid]:#x})" if bid in s.break_aliases else "")
                 for bid, a in sorted(s.user_breaks.items())]
        lines += [f"break interrupt {k}" for k in sorted(s.interrupt_breaks)]
        lines += [f"break vector {v:#x}" for v in sorted(s.vector_breaks)]
        lines += [f"watch spr {n}" for n in sorted(s.spr_watches)]
        self.emit(lines or ["no breakpoints or watch points"])

    def cmd_delete(self, args) -> None:
        s = self.s
        if not args:
            s.user_breaks.clear()
            s.break_aliases.clear()
            s.interrupt_breaks.clear()
            s.vector_breaks.clear()
            s.spr_watches.clear()
            s._apply_breakpoints()
            self.write("deleted every breakpoint and watch point")
            return
        s.delete_break(parse_int(args[0]))
        self.write(f"deleted breakpoint {args[0]}")

    # ------------------------------------------------------------ inspection
    def cmd_regs(self, args) -> None:
        self.emit(self.s.regs_lines())

    def cmd_sprs(self, args) -> None:
        self.emit(self.s.sprs_lines())

    def cmd_ail(self, args) -> None:
        self.emit(self.s.ail_lines())

    def cmd_events(self, args) -> None:
        if args and args != ["all"]:
            raise DebugError("usage: events [all]")
        self.emit(self.s.event_lines(include_all=bool(args)))

    def cmd_disas(self, args) -> None:
        s = self.s
        c = s.m.cpus[s.cur]
        addr = s.eval_addr(args[0]) if args else c.pc
        n = parse_int(args[1]) if len(args) > 1 else 8
        if not 1 <= n <= 4096:
            raise DebugError("disas: count must be 1..4096")
        if len(args) > 2:
            raise DebugError("usage: disas [ADDR] [N]")
        addr &= ~3
        for k in range(n):
            a = addr + 4 * k
            word = s.insn_at(a)
            if word is None:
                if k == 0:
                    raise DebugError(f"cannot read instructions at {a:#x}")
                break
            mark = "=>" if a == c.pc else "  "
            label = s.symbolize(a)
            self.write(f"{mark} {a:#018x}{label}:  {word:08x}  {insn_text(word, a)}")

    def cmd_x(self, args) -> None:
        real = bool(args) and args[0] == "real"
        if real:
            args = args[1:]
        if not args or len(args) > 2:
            raise DebugError("usage: x [real] ADDR [LEN]")
        s = self.s
        addr = s.eval_addr(args[0])
        n = parse_int(args[1]) if len(args) > 1 else 64
        if not 1 <= n <= 0x10000:
            raise DebugError("x: length must be 1..65536")
        if real:        # a real (physical) address, whatever the CPU's translation
            ram = s.m.ram
            if not ram.contains(addr, n):
                raise DebugError(f"x real: {addr:#x}+{n:#x} is outside RAM ({ram.size:#x} bytes)")
            data = ram.read(addr, n)
        else:
            data = s.read_virtual(addr, n)
        for off in range(0, n, 16):
            chunk = data[off:off + 16]
            self.write(f"{addr + off:#018x}: {chunk.hex(' ')}")

    def cmd_help(self, args) -> None:
        self.emit(HELP.splitlines())


def help_without_run_commands() -> list[str]:
    """HELP minus the commands that run the machine (gdb `monitor help`)."""
    out, skip = [], False
    for ln in HELP.splitlines():
        head = ln[2:].split(" ", 1)[0] if ln.startswith("  ") and not ln.startswith("   ") else None
        if head is not None:
            skip = head in RUN_COMMANDS or head == "help"
        if not skip:
            out.append(ln)
    return out


def _is_call(word: int) -> bool:
    """A branch that sets LR (LK=1): b/bc/bclr/bcctr/bctar with LK."""
    op = word >> 26
    if op in (16, 18):
        return bool(word & 1)
    if op == 19 and ((word >> 1) & 0x3FF) in (16, 528, 560):
        return bool(word & 1)
    return False
