"""The package layout (docs/design.md, "Layers"): every module imports on its
own, module-level imports form no cycle, `emu` never imports `harness`, and
only emu/unicorn_backend.py touches Unicorn."""
import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("emu", "harness", "guest_images")


def modules():
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def module_level_imports(name, path):
    """Absolute names of our modules imported at module level (not inside a
    function): the edges that can make an import cycle."""
    tree = ast.parse(path.read_text())
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    deps = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            deps |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[:len(pkg.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            deps.add(base)
            deps |= {f"{base}.{a.name}" for a in node.names}
    return {d for d in deps if d.split(".")[0] in PACKAGES}


def test_every_module_imports_on_its_own():
    names = sorted(modules())
    code = (
        "import importlib, sys\n"
        f"names = {names!r}\n"
        "bad = []\n"
        "for n in names:\n"
        "    for m in [m for m in sys.modules if m.split('.')[0] in ('emu', 'harness', 'guest_images')]:\n"
        "        del sys.modules[m]\n"
        "    try:\n"
        "        importlib.import_module(n)\n"
        "    except Exception as e:\n"
        "        bad.append(f'{n}: {type(e).__name__}: {e}')\n"
        "print('\\n'.join(bad))\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "", p.stdout + p.stderr


def test_no_import_cycles_between_modules():
    mods = modules()
    graph = {n: {d for d in module_level_imports(n, p) if d in mods and d != n}
             for n, p in mods.items()}
    # a package's __init__ importing its own submodules is how packages work, not a cycle
    for n in graph:
        graph[n] = {d for d in graph[n] if not d.startswith(n + ".")}
    state, cycles = {}, []

    def visit(n, stack):
        state[n] = "open"
        for d in sorted(graph[n]):
            if state.get(d) == "open":
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d, stack + [d])
        state[n] = "done"
    for n in sorted(graph):
        if n not in state:
            visit(n, [n])
    assert not cycles, cycles


def test_emu_never_imports_harness_and_only_the_backend_touches_unicorn():
    for name, path in modules().items():
        text = path.read_text()
        tree = ast.parse(text)
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add((node.module or "").split(".")[0])
        if name.startswith("emu"):
            assert "harness" not in imported, name
        if name != "emu.unicorn_backend":
            assert "unicorn" not in imported, name


def test_nothing_outside_emu_reaches_the_execution_core():
    """The tools read registers through emu.cpu.Cpu (gpr, get_cr, get_xer, fpr, ...),
    never through its Unicorn core (`cpu.core`)."""
    offenders = []
    for name, path in modules().items():
        if name.startswith("emu"):
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if ".core." in code and "scenarios.core" not in code and "asm.core" not in code \
                    and "power.core" not in code:
                offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not offenders, offenders
