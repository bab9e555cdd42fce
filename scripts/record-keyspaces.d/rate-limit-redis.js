// rate-limit-redis: the store express-rate-limit uses, counting hits from two clients.
const { RedisStore } = require('rate-limit-redis');
const { createClient } = require('redis');
(async () => {
  const client = createClient({ url: `redis://127.0.0.1:${process.env.REDIS_PORT}` });
  await client.connect();
  const store = new RedisStore({ sendCommand: (...args) => client.sendCommand(args) });
  store.init({ windowMs: 60000 });
  await store.increment('203.0.113.7');
  await store.increment('203.0.113.7');
  await store.increment('198.51.100.23');
  await client.quit();
})().catch((e) => { console.error(e); process.exit(1); });
