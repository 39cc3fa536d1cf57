"""The NIR check agrees with python-stdnum's, on valid and invalid numbers."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.fr import nir as stdnum_nir

from mutuelle.validators import validate_nir


def _is_valid(value: str) -> bool:
    try:
        validate_nir(value)
    except ValidationError:
        return False
    return True


def test_validate_nir_agrees_with_stdnum():
    rng = random.Random(3)
    samples = []
    for _ in range(3000):
        body = f"{rng.choice('12378')}{rng.randrange(10**12):012d}"
        if rng.random() < 0.2:
            body = body[:5] + rng.choice(["2A", "2B", "2C", "AB"]) + body[7:]
        corsica_or_digits = body[5:7] in {"2A", "2B"} or body[5:7].isdigit()
        key = stdnum_nir.calc_check_digits(body + "00") if corsica_or_digits else "00"
        if rng.random() < 0.3:
            key = f"{rng.randrange(100):02d}"
        samples.append(body + key)
    samples += ["", "1" * 14, "1" * 16, "1 85 10 2A 004 123 45", "x" * 15]
    for value in samples:
        compact = value.replace(" ", "").upper()
        assert _is_valid(value) == (len(compact) == 15 and stdnum_nir.is_valid(compact)), value


@pytest.mark.parametrize("value", ["185102A004123", "18510200412345x"])
def test_invalid_nir_message(value):
    with pytest.raises(ValidationError):
        validate_nir(value)
