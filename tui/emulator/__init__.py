"""The embedded cluster emulator: Kubernetes + Argo CD APIs on loopback over seeded objects.

    from tui.emulator import Emulator, load_seed, SeedError, write_kubeconfig
    with Emulator(load_seed("dump.yaml"), controllers=False) as emu:
        write_kubeconfig("kc.yaml", emu.url)

Never imports textual/rich or tui.core's sources: the CLI composes it with the core.
"""
from tui.emulator.kubeconfig import write_kubeconfig
from tui.emulator.seed import SeedError, load_seed, load_seed_text
from tui.emulator.server import Emulator

__all__ = ["Emulator", "SeedError", "load_seed", "load_seed_text", "write_kubeconfig"]
