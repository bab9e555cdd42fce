"""Dramatiq: the Redis broker with two messages enqueued on the default queue."""
import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker

broker = RedisBroker(host="127.0.0.1", port=int(os.environ["REDIS_PORT"]))
dramatiq.set_broker(broker)


@dramatiq.actor
def send_email(to):
    pass


send_email.send("a@example.com")
send_email.send("b@example.com")
send_email.send_with_options(args=("c@example.com",), delay=3600000)
