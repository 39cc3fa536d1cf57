"""What each request kind does when the back office decides.

The apps that own a kind's detail model (this app for beneficiaries, bank accounts and
portability; benefits for reimbursements and estimates) register its effects here from
their ``AppConfig.ready()``; an app above may add more (contributions recomputes the
instalments when a beneficiary change is accepted). The generic services run them, in
registration order, inside the same transaction as the state change, so a decision
either applies everything or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# Called as ``effect(member_request=…, by=…)`` before the state change is saved; may
# return a sentence for the member (added to the acceptance e-mail); raising
# ValidationError stops the decision.
Effect = Callable[..., str | None]


@dataclass
class KindEffects:
    on_accept: list[Effect] = field(default_factory=list)
    on_refuse: list[Effect] = field(default_factory=list)
    on_withdraw: list[Effect] = field(default_factory=list)


_EFFECTS: dict[str, KindEffects] = {}


def register_kind(kind: str, **effects: Effect) -> None:
    registered = _EFFECTS.setdefault(kind, KindEffects())
    for moment, effect in effects.items():
        getattr(registered, moment).append(effect)


def effects_of(kind: str) -> KindEffects:
    return _EFFECTS.get(kind, KindEffects())


def run_effects(effects: list[Effect], **kwargs) -> list[str]:
    """Run them in order; the sentences they return, for the member."""
    return [note for effect in effects if (note := effect(**kwargs))]
