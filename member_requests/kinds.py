"""What each request kind does when the back office decides.

The apps that own a kind's detail model (this app for beneficiaries, bank accounts and
portability; benefits for reimbursements and estimates) register its effects here from
their ``AppConfig.ready()``: the generic services below then run them inside the same
transaction as the state change, so an acceptance either applies everything or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

Effect = Callable[..., None]


@dataclass(frozen=True)
class KindEffects:
    # Called as ``effect(member_request=…, by=…)`` before the state change is saved;
    # raising ValidationError stops the decision.
    on_accept: Effect | None = None
    on_refuse: Effect | None = None
    on_withdraw: Effect | None = None


_EFFECTS: dict[str, KindEffects] = {}


def register_kind(kind: str, **effects: Effect) -> None:
    _EFFECTS[kind] = KindEffects(**effects)


def effects_of(kind: str) -> KindEffects:
    return _EFFECTS.get(kind, KindEffects())
