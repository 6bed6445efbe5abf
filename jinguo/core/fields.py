"""Model fields shared by the domain apps."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.periods import Period

CENT = Decimal("0.01")


class CentsField(models.BigIntegerField):
    """An exact decimal with two places (yuan and fen, or counts), stored as an integer number of hundredths.

    SQLite keeps DecimalField as floating point; integers are exact on every database, so SUM() over ten
    thousand amounts is right to the fen. Python sees `Decimal`, aggregates included.
    """

    description = _("两位小数的精确数")

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(value).scaleb(-2)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value)).quantize(CENT)
        except ArithmeticError:
            raise ValidationError(_("“%(value)s”不是有效的数字。"), params={"value": value}) from None

    def get_prep_value(self, value):
        if value is None:
            return None
        number = Decimal(str(value))
        if number != number.quantize(CENT):
            raise ValueError(f"{value} has more than two decimal places")
        return int(number.scaleb(2))

    def formfield(self, **kwargs):
        from django import forms

        return forms.DecimalField(max_digits=16, decimal_places=2, **kwargs)


def validate_period(value: str) -> None:
    try:
        Period.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class PeriodField(models.CharField):
    """A reporting period ('2025', '2025H1', '2025Q3'); stored as its canonical text so it sorts and filters."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 8)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_period)

    def get_prep_value(self, value):
        if isinstance(value, Period):
            return str(value)
        if value:
            try:
                return str(Period.parse(value))
            except ValueError:
                return value
        return value


class EncryptedTextField(models.TextField):
    """Personal data encrypted at rest (see core.crypto); the database never sees the plaintext.

    Not searchable or sortable in SQL by design: pair it with a keyed-hash column for exact search.
    """

    description = _("加密文本")

    def from_db_value(self, value, expression, connection):
        from jinguo.core.crypto import decrypt_text

        if value in (None, ""):
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        from jinguo.core.crypto import encrypt_text

        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(value)
