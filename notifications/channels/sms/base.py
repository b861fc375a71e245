from dataclasses import dataclass


@dataclass(frozen=True)
class SmsReceipt:
    provider_id: str
    parts: int | None = None


class BaseSmsBackend:
    """Send one SMS to an E.164 number.

    Raise `TransientChannelError` when trying again later may work and `PermanentChannelError`
    when it will not. `reference` is stable per notification: a gateway that can refuse a
    reference it has already accepted makes a re-send after a crash harmless.
    """

    def __init__(self, **kwargs):
        pass

    def open(self) -> None:
        """Prepare for several messages (e.g. a keep-alive HTTP session)."""

    def close(self) -> None:
        pass

    def send(self, *, to: str, text: str, reference: str) -> SmsReceipt:
        raise NotImplementedError
