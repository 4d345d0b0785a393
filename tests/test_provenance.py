"""Every scenario states its provenance (upstream or what-if) and the upstream
Linux functions it models; the functions it names are the ones its image
really executes."""
import json
import os
import re
import subprocess
import sys

import pytest

from harness.run.api import prepare
from harness.scenarios.core import SCENARIOS, UPSTREAM_FILES, build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_BASE = 0xC000000000000000


def ppcvec(*args):
    p = subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def executed_functions(name, fix, cpu):
    """The UPSTREAM_FILES functions whose first instruction some CPU executes
    (a breakpoint at the label's real address and at its kernel EA)."""
    image, opts = build(name, fix, cpu)
    m, _, _, _ = prepare(image, opts)
    at = {}
    for f in UPSTREAM_FILES:
        if f in image.symbols:
            at[image.symbols[f]] = f
            at[image.symbols[f] | KERNEL_BASE] = f
    hit = set()
    while m.total_insns < opts.max_insns:
        m.set_breakpoints({a for a, f in at.items() if f not in hit})
        r = m.run(opts.max_insns - m.total_insns)
        if r.outcome != "breakpoint":
            break
        hit.add(at[m.cpus[m.stopped_cpu].core.get_pc()])
    return hit


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_named_functions_are_the_ones_the_image_executes(name):
    s = SCENARIOS[name]
    cpu = "power9"
    ran = executed_functions(name, "none", cpu) | executed_functions(name, "all", cpu)
    assert set(s.upstream) == ran
    assert len(s.upstream) == len(set(s.upstream))


def _text_blocks():
    blocks, cur = {}, None
    for line in ppcvec("scenario", "list").splitlines():
        if not line.startswith(" "):
            cur = line.split()[0]
            blocks[cur] = []
        else:
            blocks[cur].append(line.strip())
    return blocks


def test_list_text_says_provenance_and_models_for_every_scenario():
    blocks = _text_blocks()
    assert sorted(blocks) == sorted(SCENARIOS)
    for name, lines in blocks.items():
        prov = [ln for ln in lines if ln.startswith("provenance: ")]
        models = [ln for ln in lines if ln.startswith("models: ")]
        assert len(prov) == 1 and len(models) == 1, name
        assert re.match(r"provenance: (upstream|what-if)\b", prov[0])
        assert models[0][len("models: "):].split(", ") == list(SCENARIOS[name].upstream)


def test_list_text_host_fscr_in_guest_is_a_what_if():
    (prov,) = [ln for ln in _text_blocks()["powernv-what-if-host-fscr-in-guest"]
               if ln.startswith("provenance")]
    assert prov.startswith("provenance: what-if (")
    assert "SVCPU_SHADOW_FSCR" in prov and "kvmppc_handler_trampoline_enter" in prov


def test_list_text_pseries_crash_is_upstream_and_models_the_vm_creation():
    lines = _text_blocks()["pseries-host-user-scv-during-pr-vm"]
    assert "provenance: upstream" in lines
    (models,) = [ln for ln in lines if ln.startswith("models: ")]
    names = models[len("models: "):].split(", ")
    assert {"kvmppc_core_init_vm_pr", "pseries_disable_reloc_on_exc", "configure_exceptions",
            "kvmppc_core_vcpu_load_pr", "kvmppc_handler_trampoline_enter"} <= set(names)


def test_list_json_provenance_and_upstream_files():
    rows = {r["name"]: r for r in json.loads(ppcvec("scenario", "list", "--json"))}
    assert sorted(rows) == sorted(SCENARIOS)
    for name, r in rows.items():
        assert r["provenance"] in ("upstream", "what-if")
        assert r["provenance"] != "what-if" or r["provenance_note"]
        assert [u["function"] for u in r["upstream"]] == list(SCENARIOS[name].upstream)
        for u in r["upstream"]:
            assert re.fullmatch(r"(arch/powerpc|virt/kvm|init)/[\w/.-]+\.[cS]", u["file"]), u
    assert rows["powernv-what-if-host-fscr-in-guest"]["provenance"] == "what-if"
    assert rows["powernv-pr-guest-scv"]["provenance"] == "upstream"
    assert [n for n, r in rows.items() if r["provenance"] == "what-if"] == [
        "powernv-what-if-host-fscr-in-guest"]
    assert rows["pseries-host-user-scv-during-pr-vm"]["provenance"] == "upstream"
    files = {u["function"]: u["file"] for u in rows["pseries-host-user-scv-during-pr-vm"]["upstream"]}
    assert files["kvmppc_core_init_vm_pr"] == "arch/powerpc/kvm/book3s_pr.c"
    assert files["kvmppc_handler_trampoline_enter"] == "arch/powerpc/kvm/book3s_segment.S"


def test_docs_table_maps_every_modelled_function_to_its_file():
    with open(os.path.join(ROOT, "docs", "scenarios.md")) as f:
        doc = f.read()
    for s in SCENARIOS.values():
        for fn in s.upstream:
            assert re.search(rf"\|[^\n]*`{re.escape(UPSTREAM_FILES[fn])}`[^\n]*`{re.escape(fn)}`",
                             doc), (s.name, fn)
