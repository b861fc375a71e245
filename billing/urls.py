"""Billing URLs under /billing/, namespace `billing`: one module per area keeps its own routes.

- `urls_family`: the guardian's ledger, payment requests (page, PDF, QR) and confirmations
- `urls_office`: households' ledgers, desk payments, credit notes, discounts, runs, exports
- `urls_statements`: bank statement import and the queue of unmatched lines
- `urls_online`: online payment start/return, the gateway webhook and the demo simulator
- `urls_exports`: the accountant's XLSX exports (charges, payments, receivables)
"""

from . import urls_exports, urls_family, urls_office, urls_online, urls_statements

app_name = "billing"

urlpatterns = [
    *urls_family.urlpatterns,
    *urls_office.urlpatterns,
    *urls_statements.urlpatterns,
    *urls_online.urlpatterns,
    *urls_exports.urlpatterns,
]
