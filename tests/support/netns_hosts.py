"""SSH test hosts made of network namespaces: each has its own address and its own sshd.

Host i lives in namespace `cdk-h<i>`; a veth pair links it to the root namespace as its own
/30 in 10.213.0.0/24 (root end .4i+1, host end .4i+2). The sshd runs as root inside the
namespace, listens only on the host's address, and accepts one client key made for the test.
The namespaces share this machine's filesystem, so the "remote" python is the local one.
Nothing else is contacted: only these addresses and loopback.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

SSHD = Path("/usr/sbin/sshd")
PREFIX = "cdk-h"


class NetnsUnavailable(Exception):
    """Why these hosts cannot be made here (not root, no sshd, no netns permission)."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *args], check=False, capture_output=True, text=True, timeout=30)
    if check and result.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


@dataclass
class SshHost:
    name: str  # inventory name, e.g. h1
    netns: str
    address: str
    gateway: str  # the root namespace's end of the veth pair
    veth: str
    config: Path
    sshd: subprocess.Popen[bytes] | None = None

    def start_sshd(self, timeout: float = 10.0) -> None:
        self.sshd = subprocess.Popen(
            ["ip", "netns", "exec", self.netns, str(SSHD), "-D", "-e", "-f", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sshd.poll() is not None:
                err = self.sshd.stderr.read().decode() if self.sshd.stderr else ""
                raise RuntimeError(f"sshd in {self.netns} exited: {err.strip()}")
            try:
                with socket.create_connection((self.address, 22), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"sshd in {self.netns} did not listen on {self.address}:22 within {timeout}s")

    def stop_sshd(self) -> None:
        """Stop the listener and every session it started: the host becomes unreachable."""
        if self.sshd and self.sshd.poll() is None:
            self.sshd.terminate()
            try:
                self.sshd.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.sshd.kill()
                self.sshd.wait(timeout=5)
        # sessions forked by sshd outlive the listener; they too run in the namespace
        for pid in _ip("netns", "pids", self.netns, check=False).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


@dataclass
class NetnsHosts:
    workdir: Path
    count: int = 3
    first: int = 1  # host numbers first..first+count-1: tests that run side by side pick apart
    hosts: list[SshHost] = field(default_factory=list)
    client_key: Path | None = None

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if os.geteuid() != 0:
            raise NetnsUnavailable("network namespaces and sshd need root")
        if not SSHD.is_file():
            raise NetnsUnavailable(f"{SSHD} is missing (make system-deps installs openssh-server)")
        for tool in ("ip", "ssh", "ssh-keygen"):
            if shutil.which(tool) is None:
                raise NetnsUnavailable(f"{tool} is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.client_key = self.workdir / "client_ed25519"
        _keygen(self.client_key)
        authorized = self.workdir / "authorized_keys"
        authorized.write_text(self.client_key.with_suffix(".pub").read_text())
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
        for i in range(self.first, self.first + self.count):
            self._make_host(i, authorized)
        for host in self.hosts:
            host.start_sshd()

    def _make_host(self, i: int, authorized: Path) -> None:
        netns, veth = f"{PREFIX}{i}", f"cdk-v{i}"
        _remove_netns(netns, veth)  # leftovers of a run that was killed
        added = _ip("netns", "add", netns, check=False)
        if added.returncode:
            raise NetnsUnavailable(f"ip netns add {netns} failed: {added.stderr.strip()}")
        gateway, address = f"10.213.0.{4 * i + 1}", f"10.213.0.{4 * i + 2}"
        host = SshHost(f"h{i}", netns, address, gateway, veth, self.workdir / f"sshd_{netns}.conf")
        self.hosts.append(host)  # listed before the next steps, so close() removes it if they fail
        _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns)
        _ip("addr", "add", f"{gateway}/30", "dev", veth)
        _ip("link", "set", veth, "up")
        _ip("-n", netns, "addr", "add", f"{address}/30", "dev", "eth0")
        _ip("-n", netns, "link", "set", "eth0", "up")
        _ip("-n", netns, "link", "set", "lo", "up")
        host_key = self.workdir / f"ssh_host_{netns}"
        _keygen(host_key)
        host.config.write_text(
            f"ListenAddress {address}\nPort 22\nHostKey {host_key}\n"
            f"PidFile {self.workdir / f'sshd_{netns}.pid'}\nAuthorizedKeysFile {authorized}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\n"
            # the test's tmp dir is not root-only as sshd's strict mode wants
            "StrictModes no\nSubsystem sftp internal-sftp\n"
        )

    def inventory(self, path: Path, python: str) -> Path:
        lines = ["all:", "  hosts:"]
        for host in self.hosts:
            lines += [f"    {host.name}:", f"      ansible_host: {host.address}"]
        lines += [
            "  vars:",
            "    ansible_user: root",
            f"    ansible_ssh_private_key_file: {self.client_key}",
            # no multiplexed session that would outlive a stopped sshd (replaces ansible's defaults)
            "    ansible_ssh_args: -o ControlMaster=no -o ControlPersist=no",
            # fresh host keys every run
            "    ansible_ssh_common_args: >-",
            "      -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5",
            f"    ansible_python_interpreter: {python}",
        ]
        path.write_text("\n".join(lines) + "\n")
        return path

    def close(self) -> None:
        for host in self.hosts:
            try:
                host.stop_sshd()
            finally:
                _remove_netns(host.netns, host.veth)
        self.hosts.clear()


def _keygen(path: Path) -> None:
    for stale in (path, path.with_suffix(".pub")):
        stale.unlink(missing_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
                   check=True, capture_output=True, timeout=30)


def _remove_netns(netns: str, veth: str) -> None:
    for pid in _ip("netns", "pids", netns, check=False).stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    _ip("link", "del", veth, check=False)  # removes its peer inside the namespace too
    _ip("netns", "del", netns, check=False)
