"""demo-bytecode-vm on CPython 3.11's listing (the default): see bytecode_vm_check."""

from bytecode_vm_check import run

run("3.11")
