"""A test e-mail backend that counts connections and raises on demand."""

from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend


class FailingBackend(LocmemEmailBackend):
    """Raises what `error` holds on every send; counts `open()` calls."""

    error: Exception | None = None
    open_error: Exception | None = None
    opened = 0

    def open(self):
        type(self).opened += 1
        if type(self).open_error is not None:
            raise type(self).open_error
        return True

    def send_messages(self, messages):
        if type(self).error is not None:
            raise type(self).error
        return super().send_messages(messages)


class SlowBackend(LocmemEmailBackend):
    """Takes a while per message, so concurrent senders overlap."""

    delay = 0.3

    def send_messages(self, messages):
        import time

        time.sleep(self.delay)
        return super().send_messages(messages)
