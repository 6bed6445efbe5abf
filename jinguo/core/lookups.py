"""`field__any_of=[…]`: `field IN (…)` for long lists of values, sent on PostgreSQL as one array parameter
(`field = ANY(%s)`). A bulk path's chunk filters on a thousand ids or keys at a time; as `IN (%s, %s, …)` each
such query is a new text of a thousand placeholders that the driver parses in Python and the server plans
afresh. Elsewhere (SQLite) it is `__in` itself."""

from __future__ import annotations

from django.db import models
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)  # a subquery: IN as usual
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True)
                  for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)  # a relation's values: the target's keys (ints here, not instances)
