"""Every URL x every role answers as MATRIX says (tests/trust/matrix.py)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from .matrix import ARGS, EXEMPT, MATRIX
from .world import ROLES


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def resolve(name: str, world) -> str | None:
    kwargs = {}
    for key, source in ARGS.get(name, {}).items():
        kwargs[key] = source[1:] if source.startswith("=") else world.ids[source]
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def test_every_url_is_in_the_matrix():
    listed = {name for name, _method in MATRIX} | set(EXEMPT)
    assert sorted(url_names() - listed) == [], "add the new URLs to tests/trust/matrix.py"
    assert sorted(listed - url_names()) == [], "these URLs no longer exist"


def test_every_row_names_every_role():
    for key, row in MATRIX.items():
        assert set(row) == set(ROLES), key


@pytest.mark.django_db
@pytest.mark.parametrize("name,method", sorted(MATRIX), ids=lambda v: str(v))
def test_role_gets_what_the_matrix_says(world, name, method):
    url = resolve(name, world)
    assert url is not None, f"no arguments for {name} in ARGS"
    got = {}
    for role in ROLES:
        client = Client(raise_request_exception=True)
        if role != "anonymous":
            client.force_login(world.users[role])
        with transaction.atomic():
            response = getattr(client, method.lower())(url)
            transaction.set_rollback(True)
        got[role] = response.status_code
    assert got == MATRIX[(name, method)]
