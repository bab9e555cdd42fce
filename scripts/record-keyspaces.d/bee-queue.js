// Bee-Queue: a queue "email" with a job processed and one waiting.
const Queue = require('bee-queue');
const redis = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) };
(async () => {
  const worker = new Queue('email', { redis, removeOnSuccess: false });
  const done = new Promise((resolve) => worker.on('succeeded', resolve));
  worker.process(async () => 'sent');
  await worker.createJob({ to: 'a@example.com' }).save();
  await done;
  await worker.close();
  const producer = new Queue('email', { redis, isWorker: false });
  await producer.createJob({ to: 'b@example.com' }).save();
  await producer.close();
})().catch((e) => { console.error(e); process.exit(1); });
