"""Client-visibility callbacks for print jobs.

A print job carries `client_id` as a plain number because the core app must not depend on
`clients`. Whether an actor may see that client (their caseload, 代理) is decided by the app
that owns clients, which registers a callback at start-up, e.g. in `ClientsConfig.ready()`:

    from caremgmt.printing.registry import model_client_check, register_client_check
    register_client_check(model_client_check("clients.Client"))

With nothing registered only the office is checked (every role in the office sees every
job of the office) — so the clients app MUST register its check.

A document of several clients has no client id on its job; the app that prints it registers
a *kind check* instead (`register_kind_check(kind, check)`, `check(actor) -> bool`), e.g.
billing's 過誤申立書 is for the whole-office roles only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caremgmt.access import Actor

ClientCheck = Callable[["Actor", int], bool]

KindCheck = Callable[["Actor"], bool]

_client_checks: list[ClientCheck] = []
_kind_checks: dict[str, KindCheck] = {}


def register_kind_check(kind: str, check: KindCheck) -> KindCheck:
    """Who may request and see the jobs of `kind` at all (the same kind again replaces it)."""
    _kind_checks[kind] = check
    return check


def kind_visible(actor: Actor, kind: str) -> bool:
    check = _kind_checks.get(kind)
    return check is None or check(actor)


def register_client_check(check: ClientCheck) -> ClientCheck:
    """Add a check `(actor, client_id) -> bool`; registering the same callable twice is a no-op."""
    if check not in _client_checks:
        _client_checks.append(check)
    return check


def registered_client_checks() -> tuple[ClientCheck, ...]:
    return tuple(_client_checks)


def client_visible(actor: Actor, client_id: int | None) -> bool:
    """True when every registered check lets `actor` see `client_id` (office already checked)."""
    if client_id is None:
        return True
    return all(check(actor, client_id) for check in _client_checks)


@contextmanager
def override_client_checks(*checks: ClientCheck) -> Iterator[None]:
    """Replace the registered checks for the duration of a block (tests)."""
    saved = list(_client_checks)
    _client_checks[:] = list(checks)
    try:
        yield
    finally:
        _client_checks[:] = saved


class ModelClientCheck:
    """A check that looks the client up through `caremgmt.access.visible` on a model given by
    label ("clients.Client"), so core never imports the clients app. Equal by label, so
    registering it twice is harmless."""

    def __init__(self, model_label: str) -> None:
        self.model_label = model_label

    def __call__(self, actor: Actor, client_id: int) -> bool:
        from django.apps import apps

        from caremgmt.access import visible

        model = apps.get_model(self.model_label)
        return visible(model._default_manager.filter(pk=client_id), actor).exists()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelClientCheck) and other.model_label == self.model_label

    def __hash__(self) -> int:
        return hash(self.model_label)

    def __repr__(self) -> str:
        return f"ModelClientCheck({self.model_label!r})"


def model_client_check(model_label: str) -> ModelClientCheck:
    return ModelClientCheck(model_label)
