"""RQ: two jobs on queue "default"; a burst SimpleWorker runs one, the other stays queued."""
import os

from redis import Redis
from rq import Queue, SimpleWorker

conn = Redis(port=int(os.environ["REDIS_PORT"]))
q = Queue("default", connection=conn)
q.enqueue("math.sqrt", 16)
SimpleWorker([q], connection=conn).work(burst=True)
q.enqueue("math.sqrt", 25)
q.enqueue_in(__import__("datetime").timedelta(hours=1), "math.sqrt", 36)
