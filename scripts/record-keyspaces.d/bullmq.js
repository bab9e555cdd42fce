// BullMQ: a queue "email" with a waiting job, a delayed one, and one a worker completed.
const { Queue, Worker } = require('bullmq');
const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) };
(async () => {
  const queue = new Queue('email', { connection });
  const worker = new Worker('email', async () => 'sent', { connection });
  const done = new Promise((resolve) => worker.on('completed', resolve));
  await queue.add('welcome', { to: 'a@example.com' });
  await done;
  await worker.close();
  await queue.add('welcome', { to: 'b@example.com' });
  await queue.add('reminder', { to: 'c@example.com' }, { delay: 3600000 });
  await queue.close();
})().catch((e) => { console.error(e); process.exit(1); });
