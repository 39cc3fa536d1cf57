"""The guarantee grid as members read it: one table per domain, one line per act with
its OPTAM / non-OPTAM values side by side, shown on screen and as the PDF « tableau de
garanties » generated from the grid (an uploaded PDF stays available beside it)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from mutuelle.enums import FeeSector, GuaranteeDomain
from mutuelle.models import GuaranteeRow, Offer
from mutuelle.pdf import render_pdf


@dataclass
class GridLine:
    label: str
    # (sector label, value) pairs: one for most acts, OPTAM and non-OPTAM for doctors.
    values: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class GridSection:
    domain: str
    label: str
    lines: list[GridLine]


SECTOR_LABELS = {
    FeeSector.ANY: "",
    FeeSector.OPTAM: "Médecin OPTAM",
    FeeSector.NON_OPTAM: "Médecin non OPTAM",
}


def grid_sections(rows: list[GuaranteeRow]) -> list[GridSection]:
    """Rows (already ordered) grouped by domain in the grid's order, then by act."""
    by_domain: dict[str, dict[str, GridLine]] = {}
    for row in rows:
        lines = by_domain.setdefault(row.domain, {})
        line = lines.setdefault(row.act_code, GridLine(label=row.label))
        line.values.append((SECTOR_LABELS[row.fee_sector], row.value_label()))
    return [
        GridSection(domain=domain.value, label=domain.label, lines=list(by_domain[domain].values()))
        for domain in GuaranteeDomain
        if domain in by_domain
    ]


def offer_grid(offer: Offer) -> list[GridSection]:
    return grid_sections(list(offer.guarantee_rows.order_by("display_order", "id")))


def guarantee_table_pdf(offer: Offer) -> bytes:
    """The tableau de garanties of an offer, generated from its grid."""
    return render_pdf(
        "enrolment/documents/guarantee_table.html",
        {
            "offer": offer,
            "contract": offer.contract,
            "sections": offer_grid(offer),
            "today": timezone.localdate(),
            "mutuelle": settings.MUTUELLE,
        },
    )
