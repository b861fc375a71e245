"""A test e-mail backend for the worker process: one row per message in a table of the test
database, written through Django's connection, so inside the sending transaction.

It stands in for a receiving server that drops duplicates by Message-ID: what it records commits
or rolls back with the outbox row. Counting its rows by dedupe key therefore checks our protocol
(row lock, status check, re-delivery, sweeper) end to end, in another process.
"""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

TABLE = "test_notifications_mailbox"


def mailbox_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            " id serial PRIMARY KEY, dedupe_key text NOT NULL, message_id text NOT NULL,"
            " recipient text NOT NULL, subject text NOT NULL, pid integer NOT NULL)"
        )
        cursor.execute(f"TRUNCATE {TABLE}")


def mailbox_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def mailbox_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT dedupe_key, count(*) FROM {TABLE} GROUP BY dedupe_key")
        return dict(cursor.fetchall())


def mailbox_total() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]


class RecordingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        delay = float(os.environ.get("TEST_MAIL_DELAY", "0"))
        with connection.cursor() as cursor:
            for message in email_messages:
                if delay:
                    time.sleep(delay)
                cursor.execute(
                    f"INSERT INTO {TABLE} (dedupe_key, message_id, recipient, subject, pid)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [
                        message.extra_headers.get("X-MOK-Dedupe-Key", ""),
                        message.extra_headers.get("Message-ID", ""),
                        ",".join(message.to),
                        message.subject,
                        os.getpid(),
                    ],
                )
        return len(email_messages)
