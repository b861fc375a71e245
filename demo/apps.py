from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data only. It sits on top of the import graph: it imports every app, none imports it."""

    name = "demo"
    verbose_name = "Demo"
