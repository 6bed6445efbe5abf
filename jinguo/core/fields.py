"""Model fields shared by the domain apps."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.periods import Period


class ScaledDecimalField(models.BigIntegerField):
    """An exact decimal with `places` decimals, stored as an integer (value × 10^places).

    SQLite keeps DecimalField as floating point; integers are exact on every database, so SUM() over ten
    thousand amounts is right to the last place. Python sees `Decimal`, aggregates included. A strict field
    refuses more decimals than it keeps; a lenient one rounds them.
    """

    places = 2
    strict = True
    form_max_digits = 16  # not `max_digits`: DRF would take the field for a DecimalField

    def _unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(value).scaleb(-self.places)

    def largest(self) -> Decimal:
        """The largest magnitude the column holds: the form's digits, which stay within a bigint once scaled."""
        return Decimal(10) ** (self.form_max_digits - self.places) - self._unit()

    def to_python(self, value):
        if value is None:
            return value
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
            if not number.is_finite() or abs(number) > self.largest():
                raise ArithmeticError
            return number if isinstance(value, Decimal) else number.quantize(self._unit())
        except ArithmeticError:
            raise ValidationError(_("“%(value)s”不是有效的数字，或超出可记录的范围（绝对值不超过%(max)s）。"),
                                  code="invalid", params={"value": value, "max": f"{self.largest():,.0f}"}) from None

    def get_prep_value(self, value):
        if value is None:
            return None
        number = Decimal(str(value))
        if number != number.quantize(self._unit()):
            if self.strict:
                raise ValueError(f"{value} has more than {self.places} decimal places")
            number = number.quantize(self._unit())
        return int(number.scaleb(self.places))

    def formfield(self, **kwargs):
        from jinguo.core.forms import ExactDecimalField

        return ExactDecimalField(max_digits=self.form_max_digits, decimal_places=self.places, **kwargs)

class CentsField(ScaledDecimalField):
    """Two places: yuan and fen, counts, hours. More decimals than that are an error, not rounded away."""

    description = _("两位小数的精确数")


class FixedPointField(ScaledDecimalField):
    """Four places, rounded: indicator values and rates of the outline monitoring."""

    description = _("四位小数的精确数")
    places = 4
    strict = False
    form_max_digits = 18  # 10^18 < 2^63: with 20 digits the scaled value overflowed the column


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

    def formfield(self, **kwargs):
        from jinguo.core.forms import PeriodTextFormField

        return super().formfield(**{"form_class": PeriodTextFormField, **kwargs})

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


class MaskedCopyField(models.TextField):
    """The masked form of an encrypted field of the same model (`source`), written beside it on every save,
    `bulk_create` and bulk insert (`pre_save` runs on each), so lists, exports and the API show a masked value
    without decrypting anything. It holds only what the mask shows (`110***********1234`, `张*`), never more."""

    description = _("脱敏显示")

    def __init__(self, *args, source: str = "", **kwargs) -> None:
        self.source = source
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        from jinguo.core.idcard import mask_value

        value = mask_value(self.source, str(getattr(model_instance, self.source) or ""))
        setattr(model_instance, self.attname, value)
        return value
