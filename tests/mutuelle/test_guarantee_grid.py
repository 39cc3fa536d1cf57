from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from demo.grids import LEVELS, demo_grid, demo_grid_seed
from mutuelle.enums import ActCode, CoverageLevel, FeeSector, GuaranteeFormula, GuaranteePeriod
from mutuelle.models import GuaranteeRow, guarantee_grid_errors
from mutuelle.roles import GESTIONNAIRE
from tests.mutuelle.factories import GuaranteeRowFactory, OfferFactory, UserFactory


def rows_by_key(level):
    return {(row["act_code"], row["fee_sector"]): row for row in demo_grid(level)}


def test_base_grid_holds_the_specified_values():
    rows = rows_by_key(CoverageLevel.BASE)
    for sector in (FeeSector.OPTAM, FeeSector.NON_OPTAM):
        assert rows[(ActCode.CONSULT_GEN, sector)]["rate"] == Decimal("100")
    assert rows[(ActCode.CONSULT_SPE, FeeSector.OPTAM)]["rate"] == Decimal("150")
    assert rows[(ActCode.CONSULT_SPE, FeeSector.NON_OPTAM)]["rate"] == Decimal("130")
    assert rows[(ActCode.PHARMACIE, FeeSector.ANY)]["rate"] == Decimal("100")
    assert rows[(ActCode.DENTAIRE_SOINS, FeeSector.ANY)]["rate"] == Decimal("100")
    forfait = rows[(ActCode.HOSP_FORFAIT_JOURNALIER, FeeSector.ANY)]
    assert forfait["formula"] == GuaranteeFormula.REAL_COSTS
    room = rows[(ActCode.CHAMBRE_PARTICULIERE, FeeSector.ANY)]
    assert (room["formula"], room["amount"]) == (GuaranteeFormula.FLAT_PER_ACT, Decimal("40"))
    glasses = rows[(ActCode.OPTIQUE_ADULTE, FeeSector.ANY)]
    assert (glasses["formula"], glasses["amount"], glasses["period"]) == (
        GuaranteeFormula.FLAT_PER_PERIOD,
        Decimal("150"),
        GuaranteePeriod.TWO_YEARS,
    )
    soft = rows[(ActCode.MEDECINES_DOUCES, FeeSector.ANY)]
    assert (soft["formula"], soft["amount"], soft["count_limit"], soft["period"]) == (
        GuaranteeFormula.FLAT_PER_ACT,
        Decimal("30"),
        3,
        GuaranteePeriod.CALENDAR_YEAR,
    )


def test_option_1_differs_from_base_only_where_specified():
    base = rows_by_key(CoverageLevel.BASE)
    option = rows_by_key(CoverageLevel.BASE_OPT1)
    changed = {key for key in base if base[key] != option[key]}
    assert changed == {
        (ActCode.CONSULT_SPE, FeeSector.OPTAM),
        (ActCode.CONSULT_SPE, FeeSector.NON_OPTAM),
        (ActCode.CHAMBRE_PARTICULIERE, FeeSector.ANY),
        (ActCode.OPTIQUE_ADULTE, FeeSector.ANY),
        (ActCode.MEDECINES_DOUCES, FeeSector.ANY),
    }
    assert option[(ActCode.CONSULT_SPE, FeeSector.OPTAM)]["rate"] == Decimal("200")
    assert option[(ActCode.CONSULT_SPE, FeeSector.NON_OPTAM)]["rate"] == Decimal("180")
    assert option[(ActCode.CHAMBRE_PARTICULIERE, FeeSector.ANY)]["amount"] == Decimal("60")
    assert option[(ActCode.OPTIQUE_ADULTE, FeeSector.ANY)]["amount"] == Decimal("250")
    soft = option[(ActCode.MEDECINES_DOUCES, FeeSector.ANY)]
    assert (soft["amount"], soft["count_limit"]) == (Decimal("40"), 4)


@pytest.mark.parametrize("level", LEVELS)
def test_every_demo_grid_is_a_contrat_responsable(level):
    rows = [GuaranteeRow(**row) for row in demo_grid(level)]
    assert guarantee_grid_errors(rows) == []
    glasses = next(row for row in rows if row.act_code == ActCode.OPTIQUE_ADULTE)
    assert glasses.period == GuaranteePeriod.TWO_YEARS


def test_higher_levels_never_pay_less_than_base():
    base = rows_by_key(CoverageLevel.BASE)
    for level in LEVELS[1:]:
        for key, row in rows_by_key(level).items():
            for field in ("rate", "amount", "count_limit"):
                if base[key][field] is not None:
                    assert row[field] >= base[key][field], (level, key, field)


def test_grid_errors_name_both_contrat_responsable_rules():
    optam = GuaranteeRow(
        act_code=ActCode.CONSULT_SPE,
        fee_sector=FeeSector.OPTAM,
        formula=GuaranteeFormula.PERCENT_BR,
        rate=Decimal("300"),
    )
    too_high = GuaranteeRow(
        act_code=ActCode.CONSULT_SPE,
        fee_sector=FeeSector.NON_OPTAM,
        formula=GuaranteeFormula.PERCENT_BR,
        rate=Decimal("210"),
    )
    assert len(guarantee_grid_errors([optam, too_high])) == 1
    too_close = GuaranteeRow(
        act_code=ActCode.CONSULT_SPE,
        fee_sector=FeeSector.NON_OPTAM,
        formula=GuaranteeFormula.PERCENT_BR,
        rate=Decimal("190"),
    )
    optam.rate = Decimal("200")
    errors = guarantee_grid_errors([optam, too_close])
    assert errors == [
        "Consultation d'un médecin spécialiste : le taux non-OPTAM doit être inférieur "
        "d'au moins 20 points au taux OPTAM (contrat responsable)."
    ]


@pytest.mark.django_db
def test_seeding_a_grid_twice_changes_nothing():
    offer = OfferFactory(level=CoverageLevel.BASE_OPT1)
    demo_grid_seed(offer=offer)
    first = list(offer.guarantee_rows.values())
    demo_grid_seed(offer=offer)
    assert list(offer.guarantee_rows.values()) == first
    assert len(first) == len(demo_grid(CoverageLevel.BASE_OPT1))


@pytest.mark.django_db
def test_value_labels_are_french():
    row = GuaranteeRowFactory(
        act_code=ActCode.MEDECINES_DOUCES,
        formula=GuaranteeFormula.FLAT_PER_ACT,
        rate=None,
        amount=Decimal("30"),
        count_limit=3,
    )
    assert row.value_label() == "30,00\u00a0€ par acte, 3 acte(s) par année civile"
    row = GuaranteeRowFactory(act_code=ActCode.CONSULT_SPE, rate=Decimal("150"))
    assert row.value_label() == "150\u00a0% BR"


@pytest.mark.django_db
def test_admin_edits_the_grid_inline_and_refuses_a_non_responsable_grid(client):
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    offer = OfferFactory()
    demo_grid_seed(offer=offer)
    url = reverse("admin:mutuelle_offer_change", args=[offer.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Lignes de garantie" in page.text
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in ("contract", "group", "level", "display_order")
    }
    data.update(member_monthly_cost="0.00", spouse_monthly_cost="25.50", child_monthly_cost="15.20")
    formset = page.context["inline_admin_formsets"][0].formset
    prefix = formset.prefix
    rows = list(offer.guarantee_rows.all())
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        for field in formset.form.base_fields:
            value = getattr(row, field, None)
            if value is not None and field != "offer":
                data[f"{prefix}-{index}-{field}"] = str(value)
        data[f"{prefix}-{index}-id"] = str(row.pk)
        data[f"{prefix}-{index}-offer"] = str(offer.pk)
    spe = next(
        i
        for i, row in enumerate(rows)
        if row.act_code == ActCode.CONSULT_SPE and row.fee_sector == FeeSector.NON_OPTAM
    )
    data[f"{prefix}-{spe}-rate"] = "140"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "inférieur d&#x27;au moins 20 points" in response.text
    data[f"{prefix}-{spe}-rate"] = "120"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert offer.guarantee_rows.get(
        act_code=ActCode.CONSULT_SPE, fee_sector=FeeSector.NON_OPTAM
    ).rate == Decimal("120")
