"""Print what every role gets from every URL (a helper for writing MATRIX, not a test).

PROBE_MATRIX=var/matrix-probe.json .venv/bin/pytest tests/trust/probe.py -p no:xdist
"""

import json
import os

import pytest
from django.db import transaction
from django.test import Client

from .matrix import EXEMPT
from .test_permission_matrix import resolve, url_names
from .world import ROLES

pytestmark = pytest.mark.skipif(not os.environ.get("PROBE_MATRIX"), reason="a helper, not a test")


@pytest.mark.django_db
def test_probe(world):
    found = {}
    for name in sorted(url_names()):
        if name in EXEMPT:
            continue
        url = resolve(name, world)
        if url is None:
            found[name] = "NO ARGS"
            continue
        for method in ("GET", "POST"):
            row = {}
            for role in ROLES:
                client = Client()
                if role != "anonymous":
                    client.force_login(world.users[role])
                with transaction.atomic():
                    response = getattr(client, method.lower())(url)
                    transaction.set_rollback(True)
                row[role] = response.status_code
            found[f"{name} {method}"] = row
    with open(os.environ["PROBE_MATRIX"], "w") as out:
        json.dump(found, out, indent=1)
