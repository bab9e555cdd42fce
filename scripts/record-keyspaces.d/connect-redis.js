// connect-redis: express-session's Redis store saving two sessions (default prefix "sess:").
const { RedisStore } = require('connect-redis');
const { createClient } = require('redis');
(async () => {
  const client = createClient({ url: `redis://127.0.0.1:${process.env.REDIS_PORT}` });
  await client.connect();
  const store = new RedisStore({ client });
  const save = (id) => new Promise((resolve, reject) => store.set(id,
    { cookie: { originalMaxAge: 86400000, expires: new Date(Date.now() + 86400000) }, user: 1 },
    (err) => (err ? reject(err) : resolve())));
  await save('pKQ3qTn0VJsbT2mUZbF2vTnG0o8nEJtL');
  await save('x0AQfY1mJb7W8oZ4Uc2Qp9sLrT5vNkHd');
  await client.quit();
})().catch((e) => { console.error(e); process.exit(1); });
