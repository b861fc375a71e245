"""The ways out: e-mail through Django's e-mail backends, SMS through one adapter interface."""

from .outbound import Outbound, Receipt

__all__ = ["Outbound", "Receipt"]
