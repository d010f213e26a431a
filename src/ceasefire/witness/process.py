"""`ceasefire witness serve` as a child process: started, known ready by the line it
prints once it listens, and stopped. The demo runs its witnesses so; the tests and the
benchmarks do too, the witness on loopback as a guarantor would run it on its own machine.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from ceasefire.errors import InvalidInput
from ceasefire.witness.config import PASSPHRASE_ENV

_READY = re.compile(r"listening on http://(\S+):(\d+)")


@dataclass(kw_only=True)
class WitnessProcess:
    key_file: Path
    state: Path
    passphrase: str
    logs: Sequence[str] = ()  # the logs' verifier keys (--log), read at each start
    log_file: Path | None = None  # and a file of them (--log-file)
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free one, then kept, so that a restart answers where it did
    errors: Path | None = None  # its stderr appended there; None: this process's own
    own_session: bool = False  # out of reach of a Ctrl-C meant for this process
    ready_within: float = 60.0  # seconds: opening the key costs a second or more
    name: str = "the witness"  # as messages call it
    _proc: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def exited(self) -> bool:
        """Started, and since stopped by itself."""
        return self._proc is not None and self._proc.poll() is not None

    def start(self) -> str:
        """Start it and wait until it listens; the line it said so in. InvalidInput if it
        does not, after stopping what was started."""
        if self._proc is not None:
            raise RuntimeError(f"{self.name} is running already")
        args = [sys.executable, "-m", "ceasefire", "witness", "serve", "--key",
                str(self.key_file), "--state", str(self.state), "--host", self.host,
                "--port", str(self.port)]
        for vkey in self.logs:
            args += ["--log", vkey]
        if self.log_file is not None:
            args += ["--log-file", str(self.log_file)]
        env = {**os.environ, PASSPHRASE_ENV: self.passphrase}
        errors = self.errors.open("a") if self.errors is not None else None
        try:
            self._proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                          stderr=errors, text=True,
                                          start_new_session=self.own_session)
        finally:
            if errors is not None:
                errors.close()  # the child holds its own
        line = self._first_line(self._proc)
        ready = _READY.search(line)
        if ready is None:
            self.kill()
            said = f"it said {line.strip()!r}" if line else "it said nothing"
            where = f" (its errors: {self.errors})" if self.errors is not None else ""
            raise InvalidInput(f"{self.name} did not start: {said}{where}", field="port")
        self.port = int(ready.group(2))
        return line.strip()

    def _first_line(self, proc: subprocess.Popen[str]) -> str:
        """The first line it prints, or "" if it exits or stays silent too long."""
        assert proc.stdout is not None
        waiting = select.poll()  # a line, its end, or neither within the time
        waiting.register(proc.stdout, select.POLLIN)
        if not waiting.poll(self.ready_within * 1000):
            return ""
        return proc.stdout.readline()

    def kill(self) -> None:
        """SIGKILL: no chance to tidy up, as a machine losing power."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.communicate(timeout=30)
            self._proc = None

    def stop(self, timeout: float = 30.0) -> None:
        stop_all([self], timeout=timeout)

    def __enter__(self) -> WitnessProcess:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def stop_all(witnesses: Iterable[WitnessProcess], timeout: float = 30.0) -> None:
    """SIGTERM to each running, then wait for each (together, not one after another);
    one not gone within `timeout` seconds is killed."""
    started = [w for w in witnesses if w._proc is not None]
    for w in started:
        if w._proc is not None and w._proc.poll() is None:
            w._proc.terminate()
    for w in started:
        assert w._proc is not None
        try:
            w._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            w._proc.kill()
            w._proc.communicate()
        w._proc = None
