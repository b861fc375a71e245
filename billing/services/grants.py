"""Discounts the office grants to a household or one participant, and their revocation.

A grant is never deleted: revoking it records when and by whom, and charges already made keep
their frozen lines.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from enrollment.models import Household

from ..exceptions import HouseholdClosedError
from ..models import DiscountGrant


@transaction.atomic
def discount_grant_add(*, household: Household, actor, **fields) -> DiscountGrant:
    """A new grant (fields as validated by the office's form)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.closed_at is not None:
        raise HouseholdClosedError()
    return DiscountGrant.objects.create(household=household, granted_by=actor, **fields)


@transaction.atomic
def discount_grant_revoke(*, grant: DiscountGrant, actor) -> DiscountGrant:
    """Revoke once; revoking again changes nothing."""
    grant = DiscountGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
    return grant
