"""Acts in words a member understands, grouped by domain, with the usual Sécurité
sociale base and rate of common acts (2026 tariffs, shown as « habituels » in the
estimate: the member may enter those of their own care instead)."""

from decimal import Decimal

from mutuelle.enums import ActCode, GuaranteeDomain

# act code → (domain, usual BR — None: the price itself —, usual rate %, participation
# forfaitaire of an adult)
USUAL: dict[str, tuple[str, Decimal | None, int, Decimal]] = {
    ActCode.CONSULT_GEN: (GuaranteeDomain.ROUTINE_CARE, Decimal("30.00"), 70, Decimal("2.00")),
    ActCode.CONSULT_SPE: (GuaranteeDomain.ROUTINE_CARE, Decimal("30.00"), 70, Decimal("2.00")),
    ActCode.PHARMACIE: (GuaranteeDomain.ROUTINE_CARE, None, 65, Decimal("0")),
    ActCode.ANALYSES: (GuaranteeDomain.ROUTINE_CARE, None, 60, Decimal("2.00")),
    ActCode.RADIOLOGIE: (GuaranteeDomain.ROUTINE_CARE, None, 70, Decimal("2.00")),
    ActCode.AUXILIAIRES: (GuaranteeDomain.ROUTINE_CARE, Decimal("16.13"), 60, Decimal("0")),
    ActCode.HOSP_FRAIS_SEJOUR: (GuaranteeDomain.HOSPITAL, None, 80, Decimal("0")),
    ActCode.HOSP_HONORAIRES: (GuaranteeDomain.HOSPITAL, None, 100, Decimal("0")),
    ActCode.HOSP_FORFAIT_JOURNALIER: (GuaranteeDomain.HOSPITAL, Decimal("0"), 0, Decimal("0")),
    ActCode.CHAMBRE_PARTICULIERE: (GuaranteeDomain.HOSPITAL, Decimal("0"), 0, Decimal("0")),
    ActCode.OPTIQUE_100_SANTE: (GuaranteeDomain.OPTICAL, None, 60, Decimal("0")),
    ActCode.OPTIQUE_ADULTE: (GuaranteeDomain.OPTICAL, Decimal("0.09"), 60, Decimal("0")),
    ActCode.OPTIQUE_ENFANT: (GuaranteeDomain.OPTICAL, Decimal("12.04"), 60, Decimal("0")),
    ActCode.LENTILLES: (GuaranteeDomain.OPTICAL, Decimal("39.48"), 60, Decimal("0")),
    ActCode.DENTAIRE_SOINS: (GuaranteeDomain.DENTAL, Decimal("40.00"), 70, Decimal("0")),
    ActCode.DENTAIRE_PROTHESE_100_SANTE: (
        GuaranteeDomain.DENTAL,
        Decimal("120.00"),
        70,
        Decimal("0"),
    ),
    ActCode.DENTAIRE_PROTHESE: (GuaranteeDomain.DENTAL, Decimal("120.00"), 70, Decimal("0")),
    ActCode.ORTHODONTIE: (GuaranteeDomain.DENTAL, Decimal("193.50"), 100, Decimal("0")),
    ActCode.AUDIO_100_SANTE: (GuaranteeDomain.HEARING, Decimal("400.00"), 60, Decimal("0")),
    ActCode.AUDIO_LIBRE: (GuaranteeDomain.HEARING, Decimal("400.00"), 60, Decimal("0")),
    ActCode.MEDECINES_DOUCES: (GuaranteeDomain.ALTERNATIVE, Decimal("0"), 0, Decimal("0")),
    ActCode.VACCINS: (GuaranteeDomain.PREVENTION, Decimal("0"), 0, Decimal("0")),
}
# Quotes for these domains can be sent to the back office (« devis »).
QUOTE_DOMAINS = frozenset(
    {GuaranteeDomain.OPTICAL, GuaranteeDomain.DENTAL, GuaranteeDomain.HEARING}
)


def grouped_choices(codes=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Act choices grouped by domain (optgroups), in the grid's order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in ActCode:
        if codes is not None and code not in codes:
            continue
        groups.setdefault(USUAL[code][0], []).append((code.value, code.label))
    return [(GuaranteeDomain(domain).label, acts) for domain, acts in groups.items()]
