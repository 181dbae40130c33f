"""demo-bytecode-vm on CPython 3.13's listing: see bytecode_vm_check (exits 77 without python3.13)."""

from bytecode_vm_check import run

run("3.13")
