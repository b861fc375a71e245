"""The reports pages, one module per concern; access is decided in `reports.permissions`."""

from .administration import rollover_confirm, rollover_view, settings_view
from .annual_report import annual_pdf, annual_people, annual_view, annual_xlsx
from .city_figures import city_view, city_xlsx
from .dashboards import dashboard_view

__all__ = [
    "annual_pdf",
    "annual_people",
    "annual_view",
    "annual_xlsx",
    "city_view",
    "city_xlsx",
    "dashboard_view",
    "rollover_confirm",
    "rollover_view",
    "settings_view",
]
