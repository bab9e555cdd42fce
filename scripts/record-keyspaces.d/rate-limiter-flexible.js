// rate-limiter-flexible: RateLimiterRedis on ioredis, consuming points for two users.
const { RateLimiterRedis } = require('rate-limiter-flexible');
const Redis = require('ioredis');
(async () => {
  const storeClient = new Redis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) });
  const limiter = new RateLimiterRedis({ storeClient, points: 10, duration: 60 });
  await limiter.consume('user:1042');
  await limiter.consume('user:1042');
  await limiter.consume('user:77');
  storeClient.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
