"""A C2SP transparency-log witness (c2sp.org/tlog-witness) that each guarantor runs on its
own machine with its own key: it cosigns a checkpoint of the ledger only once it is shown
that the checkpoint extends the last one it cosigned, and keeps as evidence any checkpoint
signed by the log that contradicts it.

protocol (pure: the request, the signature check, the decision), state (the directory it
keeps), config (its key and the logs' keys), service (the witness), app (ASGI)."""

from ceasefire.witness.app import create_app
from ceasefire.witness.config import Logs, WitnessKey, WitnessSettings
from ceasefire.witness.service import Witness
from ceasefire.witness.state import WitnessState

__all__ = ["Logs", "Witness", "WitnessKey", "WitnessSettings", "WitnessState", "create_app"]
