"""demo-bytecode-vm on CPython 3.12's listing: see bytecode_vm_check (exits 77 without python3.12)."""

from bytecode_vm_check import run

run("3.12")
