class IdConverter:
    """A database id: digits only, short enough for a bigint, so huge numbers answer 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
