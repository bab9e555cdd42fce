"""arq: two jobs enqueued on the default queue, one of them deferred."""
import asyncio
import datetime
import os

from arq import create_pool
from arq.connections import RedisSettings


async def main():
    pool = await create_pool(RedisSettings(host="127.0.0.1", port=int(os.environ["REDIS_PORT"])))
    await pool.enqueue_job("send_email", "a@example.com")
    await pool.enqueue_job("send_email", "b@example.com", _defer_by=datetime.timedelta(hours=1))
    await pool.aclose()


asyncio.run(main())
