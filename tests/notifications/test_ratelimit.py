"""Per-channel rate limits: a fixed window, short waits slept, long waits handed back."""

import pytest

from notifications.ratelimit import MemoryCounter, Rate, RateLimiter, parse_rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("", None),
        (None, None),
        ("20/s", Rate(20, 1)),
        ("100/m", Rate(100, 60)),
        ("500/h", Rate(500, 3600)),
        ("30/10s", Rate(30, 10)),
        (" 5 / m ", Rate(5, 60)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "10", "10/d", "-1/s"])
def test_a_wrong_rate_is_a_configuration_error(text):
    with pytest.raises(ValueError):
        parse_rate(text)


class Clock:
    def __init__(self, now: float):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_short_waits_are_slept_through():
    clock = Clock(1000.25)
    limiter = RateLimiter(
        name="sms", rate=Rate(2, 1), counter=MemoryCounter(), clock=clock, sleep=clock.sleep
    )

    waits = [limiter.acquire() for _ in range(5)]

    assert waits == [0.0] * 5
    assert clock.slept == [0.75, 1.0]


def test_a_long_wait_is_handed_back_without_sleeping():
    clock = Clock(3600 * 10 + 600)
    limiter = RateLimiter(
        name="email", rate=Rate(1, 3600), counter=MemoryCounter(), clock=clock, sleep=clock.sleep
    )

    assert limiter.acquire() == 0.0
    assert limiter.acquire() == 3000.0
    assert clock.slept == []


def test_no_rate_means_no_limit():
    limiter = RateLimiter(name="email", rate=None, counter=None)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
