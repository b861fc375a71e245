"""Admin for billing: fee plans and discount rules are edited here; discount grants are added
(never deleted: revoke them on the household's ledger page); ledger rows are read-only, since a
payment, a charge or a credit note is corrected by a new row, never by an edit."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from .forms import GRANT_KINDS, grant_clean
from .models import (
    Allocation,
    BankStatement,
    BillingRun,
    Charge,
    CreditNote,
    DiscountGrant,
    DiscountRule,
    FeePlan,
    GatewayNotification,
    OnlinePayment,
    OverdueNotice,
    Payment,
    StatementLine,
)


class LedgerAdmin(admin.ModelAdmin):
    """Read-only: the admin shows ledger rows, the services write them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeePlan)
class FeePlanAdmin(admin.ModelAdmin):
    list_display = ["group", "kind", "amount", "entries"]
    list_filter = ["kind", "group__season"]
    search_fields = ["group__name", "group__activity__name"]
    autocomplete_fields = ["group"]


@admin.register(DiscountRule)
class DiscountRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "percent", "from_child", "min_age", "is_active"]
    list_editable = ["is_active"]


class DiscountGrantAdminForm(forms.ModelForm):
    class Meta:
        model = DiscountGrant
        fields = [
            "household",
            "participant",
            "kind",
            "card_number",
            "valid_from",
            "valid_until",
            "percent",
            "reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].choices = GRANT_KINDS

    def clean(self):
        cleaned = super().clean()
        household, participant = cleaned.get("household"), cleaned.get("participant")
        if household and participant and participant.household_id != household.pk:
            self.add_error("participant", forms.ValidationError(_participant_error()))
        return grant_clean(cleaned, add_error=self.add_error, today=timezone.localdate())


def _participant_error():
    from django.utils.translation import gettext

    return gettext("This participant belongs to another household.")


@admin.register(DiscountGrant)
class DiscountGrantAdmin(admin.ModelAdmin):
    form = DiscountGrantAdminForm
    list_display = [
        "household",
        "kind",
        "participant",
        "percent",
        "card_number",
        "valid_until",
        "granted_at",
        "revoked_at",
    ]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter), "valid_until"]
    search_fields = ["household__name", "household__transfer_reference", "card_number", "reason"]
    list_select_related = ["household", "participant"]
    autocomplete_fields = ["household", "participant"]
    date_hierarchy = "granted_at"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f.name for f in DiscountGrant._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BillingRun)
class BillingRunAdmin(LedgerAdmin):
    list_display = ["period", "started_at", "finished_at", "started_by", "charges_created", "total"]
    date_hierarchy = "period"


@admin.register(Charge)
class ChargeAdmin(LedgerAdmin):
    list_display = ["household", "description", "period", "kind", "amount", "due_on"]
    list_filter = ["kind", "period", "due_on"]
    search_fields = ["household__name", "household__transfer_reference", "description"]
    list_select_related = ["household"]
    date_hierarchy = "period"


@admin.register(CreditNote)
class CreditNoteAdmin(LedgerAdmin):
    list_display = ["household", "reason", "amount", "note", "created_at", "created_by"]
    list_filter = ["reason"]
    search_fields = ["household__name", "household__transfer_reference", "note"]
    list_select_related = ["household", "created_by"]
    date_hierarchy = "created_at"


@admin.register(Payment)
class PaymentAdmin(LedgerAdmin):
    list_display = ["household", "amount", "method", "received_on", "payer", "recorded_by"]
    list_filter = ["method", "received_on"]
    search_fields = ["household__name", "household__transfer_reference", "payer", "title", "key"]
    list_select_related = ["household", "recorded_by"]
    date_hierarchy = "received_on"


@admin.register(Allocation)
class AllocationAdmin(LedgerAdmin):
    list_display = ["charge", "payment", "credit_note", "amount", "created_at"]
    search_fields = ["charge__household__name", "charge__household__transfer_reference"]
    list_select_related = ["charge", "payment", "credit_note"]


@admin.register(OverdueNotice)
class OverdueNoticeAdmin(LedgerAdmin):
    list_display = ["charge", "stage", "outstanding", "created_at"]
    list_filter = ["stage"]
    search_fields = ["charge__household__name", "charge__household__transfer_reference"]
    list_select_related = ["charge"]


@admin.register(BankStatement)
class BankStatementAdmin(LedgerAdmin):
    list_display = [
        "file_name",
        "format",
        "imported_at",
        "imported_by",
        "lines_total",
        "lines_new",
        "lines_matched",
    ]
    list_filter = ["format"]
    search_fields = ["file_name", "file_sha256"]


@admin.register(StatementLine)
class StatementLineAdmin(LedgerAdmin):
    list_display = ["booked_on", "amount", "title", "counterparty", "status", "household"]
    list_filter = ["status", "booked_on"]
    search_fields = ["title", "counterparty", "bank_reference", "household__name"]
    list_select_related = ["household"]


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(LedgerAdmin):
    list_display = ["session_id", "household", "amount", "currency", "status", "created_at"]
    list_filter = ["status", "gateway"]
    search_fields = ["session_id", "gateway_order_id", "household__name"]
    list_select_related = ["household"]


@admin.register(GatewayNotification)
class GatewayNotificationAdmin(LedgerAdmin):
    list_display = ["gateway", "received_at", "signature_valid", "outcome", "online_payment"]
    list_filter = ["gateway", "signature_valid"]
    search_fields = ["outcome", "body"]
