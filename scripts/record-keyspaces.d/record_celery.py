"""Celery/Kombu: a task sent to the default queue, and a result stored by the Redis backend."""
import os
import uuid

from celery import Celery

url = f"redis://127.0.0.1:{os.environ['REDIS_PORT']}/0"
app = Celery("tasks", broker=url, backend=url)
app.send_task("tasks.add", args=(2, 3))
app.backend.store_result(str(uuid.uuid4()), 5, "SUCCESS")
with app.connection_for_write() as conn:
    conn.default_channel  # declares the queue binding
