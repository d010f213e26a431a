"""A guarantor's witness (c2sp.org/tlog-witness): its key, the server that cosigns the
log's checkpoints, and what it holds."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ceasefire.cli.root import Context, Group, pass_context
from ceasefire.errors import InvalidInput
from ceasefire.store import durable


@click.group(cls=Group)
def witness() -> None:
    """A witness that cosigns the log's checkpoints once shown they only grew."""


def _passphrase(*, confirm: bool) -> str:
    """CEASEFIRE_WITNESS_PASSPHRASE, or asked for without echo."""
    from ceasefire.witness.config import PASSPHRASE_ENV

    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    return click.prompt("passphrase for the witness key file", hide_input=True,
                        confirmation_prompt=confirm, err=True)


@witness.command("keygen")
@click.option("--name", required=True,
              help="The witness's cosigner name, e.g. witness.ru.ceasefire.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the key file (it must not exist).")
def witness_keygen(name: str, out: Path) -> None:
    """Make the witness's key, sealed with a passphrase (CEASEFIRE_WITNESS_PASSPHRASE, or
    asked) in a file that names it; print its verifier key, for the log's witnesses file."""
    from ceasefire.witness.config import new_key, seal_key

    if out.exists():
        raise InvalidInput(f"{out} exists; a key file is never overwritten", field="out")
    key = new_key(name)
    sealed = seal_key(key, _passphrase(confirm=True))
    try:
        durable.create(out, sealed)  # a file made meanwhile is not overwritten either
    except FileExistsError:
        raise InvalidInput(f"{out} exists; a key file is never overwritten",
                           field="out") from None
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}", field="out") from None
    click.echo(key.vkey)


@witness.command("serve")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The witness's key file (from `witness keygen`).")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Its state directory (made if need be): what it cosigned, the evidence.")
@click.option("--log", "vkeys", multiple=True, metavar="VKEY",
              help="A log's verifier key (name+id+key, its name the log's origin). "
              "Repeatable; several for one origin are each trusted.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A file of logs' verifier keys, one a line ('#' comments).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=7380, show_default=True,
              help="0: a free port, which the line it prints says.")
def witness_serve(key_file: Path, state: Path, vkeys: tuple[str, ...],
                  log_file: Path | None, host: str, port: int) -> None:
    """Serve add-checkpoint (c2sp.org/tlog-witness) until stopped (SIGTERM, Ctrl-C)."""
    import signal
    import socket

    import uvicorn

    from ceasefire.witness.app import create_app
    from ceasefire.witness.config import (
        WitnessSettings,
        log_file_lines,
        open_key,
        parse_logs,
    )

    given = [("--log", None, v) for v in vkeys]
    logs = parse_logs(given + (log_file_lines(log_file) if log_file is not None else []))
    try:
        content = key_file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the key file: {exc.strerror}",
                           source=str(key_file)) from None
    key = open_key(content, _passphrase(confirm=False), source=str(key_file))
    app = create_app(WitnessSettings(key=key, logs=logs, state=state))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family)
    except OSError as exc:
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror}",
                           field="port") from None
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    click.echo(f"witness {key.name} listening on http://{host}:{bound} "
               f"({len(logs)} log{'s' if len(logs) != 1 else ''}, state {state})")
    # uvicorn stops on SIGTERM, then raises it again with this handler back: exit 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    server.run(sockets=[sock])


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


@witness.command("show")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The witness's state directory.")
def witness_show(state: Path) -> None:
    """What the witness holds: each log's origin, size and root; the evidence it kept."""
    import base64

    from ceasefire.witness.state import WitnessState

    kept = WitnessState(state, create=False)
    for held in kept.logs():
        click.echo(f"{held.checkpoint.origin}  size {held.size}  "
                   f"root {base64.b64encode(held.root).decode()}")
    evidence = kept.evidence()
    click.echo(f"evidence: {len(evidence)} file{'' if len(evidence) == 1 else 's'}"
               f" in {state / 'evidence'}")
    for found in evidence:
        click.echo(f"  {found.name}: {found.reason}")


@witness.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--scenario", default="syria-2016", show_default=True,
              help="The scenario whose [witnessing] names the guarantors and the quorum.")
@click.option("--base-port", type=click.IntRange(1024, 65000), default=8101,
              show_default=True, help="The first guarantor's port; the next ones follow.")
@click.option("--prepare", is_flag=True,
              help="Make the keys and the witnesses file, start nothing.")
@pass_context
def witness_demo(obj: Context, directory: Path, scenario: str, base_port: int,
                 prepare: bool) -> None:
    """Run the scenario's guarantors' witnesses on this machine, for a demo: each with
    its own key (made once, in DIRECTORY/<party>/), state directory and loopback port.
    Writes DIRECTORY/witnesses.toml for the server (CEASEFIRE_WITNESSES) and runs until
    stopped (SIGTERM, Ctrl-C), stopping the witnesses with it."""
    from ceasefire.services import ledger
    from ceasefire.witness.demo import prepare_demo, run_demo, stop_on_signals

    stopping = stop_on_signals()  # before the keys are opened: a Ctrl-C then counts too
    plan = prepare_demo(directory, scenario, ledger.log_vkeys(obj.database()), base_port)
    click.echo(f"witnesses of {', '.join(p.party for p in plan.witnesses)} "
               f"(quorum {plan.quorum}): {directory / 'witnesses.toml'}")
    if not prepare:
        run_demo(plan, stopping, echo=click.echo)


@witness.command("mirror")
@click.option("--log", "log_url", required=True, metavar="URL",
              help="The log's address: where it serves /checkpoint and its tiles.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="The mirror (made if need be): a ledger export that "
              "`ledger verify --offline` checks, and the mirror's state.")
@click.option("--every", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Mirror again every SECONDS until stopped (SIGTERM, "
              "Ctrl-C); without it, once.")
def witness_mirror(log_url: str, directory: Path, every: float | None) -> None:
    """Mirror the log into DIR: fetch its new entries as tiles, verify every one as
    `ledger verify --offline` does and that the log still holds each entry mirrored,
    and write DIR only when all holds. A line per pass; a fault (a rewritten entry, a
    tile that does not match, a signature that does not verify) is printed and ends the
    command with exit 1, the mirror left as it was. With --every, a log that does not
    answer is tried again at the next pass."""
    import base64
    import signal
    import threading
    import time

    from ceasefire.services.mirroring import Unreachable, mirror

    def one_pass() -> None:
        found = mirror(log_url, directory)
        click.echo(f"{found.origin}: {found.size} entries mirrored ({found.fetched} new), "
                   f"{found.verified} verified; root {base64.b64encode(found.root).decode()}")

    if every is None:
        one_pass()
        return
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _exit_cleanly) if main else None
    try:
        while True:
            try:
                one_pass()
            except Unreachable as exc:
                click.secho(f"warning: {exc}; again in {every:g} s", err=True, fg="yellow")
            time.sleep(every)
    except KeyboardInterrupt:
        pass  # stopped
    finally:
        if main:  # None: a handler not set from Python, which SIG_DFL stands for
            signal.signal(signal.SIGTERM, signal.SIG_DFL if before is None else before)
