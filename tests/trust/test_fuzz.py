"""Hostile input everywhere: every form a role can post, random URLs and ids.

For each POST URL of the permission matrix, as a role that may use it, hypothesis fills the
fields of the page's form (read from its HTML; for a POST-only action, the usual field names)
with random and hostile values: very long strings, Unicode, control characters, far dates,
huge numbers, wrong types. The answer is never a 500, and an answer that is not a success (no
redirect) changes nothing in the database. `FUZZ_EXAMPLES` sets the examples per form.
"""

from __future__ import annotations

import os
import string

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .forms import forms_on
from .matrix import MATRIX
from .test_permission_matrix import resolve

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
PROJECT_APPS = [
    app
    for app in django_settings.INSTALLED_APPS
    if "." not in app and (django_settings.BASE_DIR / app).is_dir()
]
COMMON_FIELDS = [
    "status",
    "reason",
    "note",
    "amount",
    "date",
    "group",
    "rank",
    "answer",
    "confirm",
    "action",
    "period",
]
# Logs that are written whatever the outcome, by design: every call of the payment gateway's
# webhook is kept, and every page that shows health notes records who saw them.
IGNORED_TABLES = {"billing.GatewayNotification", "enrollment.HealthNoteRead"}

hostile_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 10_000,
            "-1",
            "0",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "-0,01",
            "12,345",
            "9999-12-31",
            "0001-01-01",
            "31.02.2026",
            "2026-13-45",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "Zażółć gęślą jaźń",
            "\u202e\u0000\ufeff",
            "null",
            "[]",
            "{}",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=__import__("datetime").date(1, 1, 1)).map(lambda d: d.isoformat()),
)


def value_for(field):
    if field.options and field.kind in ("select", "radio", "checkbox"):
        return st.one_of(st.sampled_from(field.options), hostile_text)
    return hostile_text


def snapshot() -> dict[str, int]:
    counts = {}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


def post_targets():
    """(url name, role) for each POST row: the first role that the matrix lets in."""
    targets = []
    for (name, method), row in sorted(MATRIX.items()):
        if method != "POST":
            continue
        allowed = [
            role
            for role, code in row.items()
            if role != "anonymous" and code not in (403, 404, 405, 302)
        ]
        allowed = allowed or [
            role for role, code in row.items() if role != "anonymous" and code == 302
        ]
        if allowed:
            targets.append((name, allowed[0]))
    return targets


@pytest.mark.django_db
@pytest.mark.parametrize("name,role", post_targets(), ids=lambda v: str(v))
def test_hostile_posts_never_fail_and_never_half_write(world, name, role):
    url = resolve(name, world)
    client = Client()
    client.force_login(world.users[role])
    page = client.get(url)
    fields = {}
    if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
        for form in forms_on(page.content.decode()):
            if form.method == "post":
                fields.update(form.fields)
    if fields:
        strategy = st.fixed_dictionaries({n: value_for(f) for n, f in fields.items()})
    else:
        strategy = st.dictionaries(
            st.sampled_from(COMMON_FIELDS)
            | st.text(string.ascii_lowercase, min_size=1, max_size=8),
            hostile_text,
            max_size=5,
        )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(data=strategy)
    def check(data):
        with transaction.atomic():
            before = snapshot()
            response = client.post(url, data)
            assert response.status_code < 500, (name, data)
            if response.status_code not in (301, 302, 303):
                after = snapshot()
                changed = {
                    label: (before[label], after[label])
                    for label in before
                    if before[label] != after[label] and label not in IGNORED_TABLES
                }
                assert changed == {}, (name, data, changed)
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
@given(
    path=st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "-_.%~", min_size=1, max_size=12),
        min_size=1,
        max_size=5,
    )
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_garbage_urls_answer_not_found(client, path):
    response = client.get("/" + "/".join(path) + "/")
    assert response.status_code in (404, 301, 302)


SENTINEL = 7777777
ID_NAMES = {"pk", "group_id", "participant_id", "meeting_id", "credit_id", "booking_id", "grant_id"}


def id_targets():
    rows = []
    for (name, method), row in sorted(MATRIX.items()):
        if method != "GET":
            continue
        from .matrix import ARGS

        if not ID_NAMES & set(ARGS.get(name, {})):
            continue
        allowed = [role for role, code in row.items() if code == 200 and role != "anonymous"]
        if allowed:
            rows.append((name, allowed[-1]))
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("name,role", id_targets(), ids=lambda v: str(v))
def test_unknown_ids_answer_not_found(world, name, role):
    from django.urls import reverse

    from .matrix import ARGS

    client = Client()
    client.force_login(world.users[role])
    kwargs = {}
    for key, source in ARGS[name].items():
        if key in ID_NAMES:
            kwargs[key] = SENTINEL
        else:
            kwargs[key] = source[1:] if source.startswith("=") else world.ids[source]
    template = reverse(name, kwargs=kwargs)
    for huge in ("987654321", str(2**63 - 1), str(2**63), "1" * 30, "0"):
        url = template.replace(str(SENTINEL), huge)
        assert client.get(url).status_code == 404, url


API_PARAMS = ["q", "age", "weekday", "kind", "category", "venue", "season", "free", "page"]


@pytest.mark.django_db
@given(
    params=st.dictionaries(
        st.sampled_from(API_PARAMS) | st.text(string.ascii_lowercase, min_size=1, max_size=6),
        hostile_text,
        max_size=5,
    )
)
@settings(
    max_examples=EXAMPLES * 5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_the_json_api_answers_hostile_filters_with_json_not_a_failure(client, params):
    for url in ("/api/v1/groups/", "/"):
        response = client.get(url, params)
        assert response.status_code in (200, 400), (url, params)
        if url.startswith("/api/") and response.status_code == 400:
            assert response["Content-Type"].startswith("application/json")
