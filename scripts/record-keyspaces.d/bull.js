// Bull: a queue "email" with a waiting job, a delayed one, and one the processor completed.
const Queue = require('bull');
(async () => {
  const queue = new Queue('email', { redis: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) } });
  const done = new Promise((resolve) => queue.on('completed', resolve));
  queue.process(async () => 'sent');
  await queue.add({ to: 'a@example.com' });
  await done;
  await queue.pause(true);
  await queue.add({ to: 'b@example.com' });
  await queue.add({ to: 'c@example.com' }, { delay: 3600000 });
  await queue.close();
})().catch((e) => { console.error(e); process.exit(1); });
