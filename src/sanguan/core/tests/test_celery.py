"""Background work in both modes: in-process (embedded default) and through a real broker
to a real worker process (production). The second needs PostgreSQL, so the worker and the
test share one database, and a Redis broker named by SANGUAN_TEST_CELERY_BROKER; CI's
PostgreSQL run provides both."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from sanguan.audit.models import AuditEvent
from sanguan.celery import app
from sanguan.compliance.tasks import compliance_run_task


@pytest.mark.django_db
def test_task_runs_in_process_in_the_embedded_default(settings):
    # given no broker (the embedded default runs tasks eagerly)
    assert app.conf.task_always_eager
    # when the compliance run is queued
    result = compliance_run_task.delay()
    # then it ran here and now, and left its audit event
    assert result.successful()
    assert "rules" in result.get()
    assert AuditEvent.objects.filter(action="compliance.ran").exists()


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = user + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("SANGUAN_TEST_CELERY_BROKER"),
    reason="needs PostgreSQL and SANGUAN_TEST_CELERY_BROKER (CI's PostgreSQL run)",
)
@pytest.mark.django_db(transaction=True)
def test_task_round_trips_through_redis_to_a_worker_on_postgresql():
    broker = os.environ["SANGUAN_TEST_CELERY_BROKER"]
    # given a real worker process on its own queue, against this test database
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    worker = subprocess.Popen(
        [celery, "-A", "sanguan", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    producer = Celery("probe", broker=broker)
    try:
        # when the compliance run is sent through Redis by name, as any app server would
        producer.send_task("compliance.run", queue=queue)
        # then the worker runs it against PostgreSQL: its audit event appears in our database
        deadline = time.monotonic() + 90
        while not AuditEvent.objects.filter(action="compliance.ran").exists():
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the worker did not run the task within 90 s"
            time.sleep(0.5)
    finally:
        producer.close()
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
