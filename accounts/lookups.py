"""`in` on integer columns that cannot fail on a number the column cannot hold.

Django's `exact`, `gt`, `lt`... already treat an out-of-range integer as "no match" (its
`IntegerFieldOverflow`); `in` does not, so a huge id posted to a multiple-choice form field
(`ModelMultipleChoiceField` filters `pk__in=[...]`) reached the database driver and failed
(SQLite: OverflowError; PostgreSQL: out of range). This `in` drops such numbers first, and
matches nothing when none is left, exactly as `exact` does.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            kept = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)
