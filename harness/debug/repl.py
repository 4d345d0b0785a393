"""The front-end loop of `ppcvec debug`: commands from a file, a pipe, or a
line editor with history and completion (prompt_toolkit) on a terminal."""
from __future__ import annotations



from harness.errors import UserError



from harness.debug.commands import COMMAND_WORDS, Debugger
from harness.debug.session import INTERRUPT_KINDS, WATCHABLE, Session


def command_source(commands_file: str | None, stdin, interactive: bool, session: Session):
    """Yield command lines: from a file, from a pipe, or from a line editor with
    history and completion (prompt_toolkit) on a terminal."""
    if commands_file is not None:
        try:
            with open(commands_file, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise UserError(f"--commands {commands_file}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise UserError(f"--commands {commands_file}: not a text file") from None
        for ln in lines:
            yield ln, True
        return
    if interactive:
        try:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.completion import WordCompleter
            from prompt_toolkit.history import InMemoryHistory
        except ImportError:
            interactive = False
        else:
            words = list(COMMAND_WORDS) + ["vector", "interrupt", "spr", "all"]
            words += list(INTERRUPT_KINDS) + list(WATCHABLE) + sorted(session.symbols)
            ps = PromptSession(history=InMemoryHistory(),
                               completer=WordCompleter(sorted(set(words)), sentence=False))
            last = ""
            while True:
                try:
                    ln = ps.prompt("(ppcvec) ")
                except EOFError:
                    return
                except KeyboardInterrupt:
                    continue
                if not ln.strip():
                    ln = last       # an empty line repeats the last command (gdb style)
                last = ln
                yield ln, False
    for ln in stdin:
        yield ln.rstrip("\n"), True


def run_stepper(session: Session, commands_file: str | None, stdin, out, interactive: bool) -> int:
    def write(line):
        out.write(line + "\n")

    dbg = Debugger(session, write)
    dbg.emit(dbg.banner())
    for ln, echo in command_source(commands_file, stdin, interactive, session):
        if echo and ln.strip():
            write(f"(ppcvec) {ln.strip()}")
        dbg.execute(ln)
        out.flush()
        if dbg.done:
            break
    return 0
