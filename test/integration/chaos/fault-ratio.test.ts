import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { findSecrets } from '../../../tools/chaos/secrets';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const productsStatuses = (calls: number) =>
  // Sequential: the rules draw in call order. No token: an unhit call is refused 401 after the fault check.
  Array.from({ length: calls }).reduce<Promise<number[]>>(
    async (done) => [...(await done), (await fetch(`${sandbox.baseUrl}/v1/products?country=US`)).status],
    Promise.resolve([]),
  );

test('a fault with a ratio hits about that share of matching calls', async () => {
  await sandbox.control.addFault({ path: '/v1/products', kind: 'status', status: 503, ratio: 0.25, count: 1000 });
  const statuses = await productsStatuses(200);
  const hit = statuses.filter((status) => status === 503).length;
  expect(hit + statuses.filter((status) => status === 401).length).toBe(200);
  // 25% of 200 = 50; five standard deviations (±30) either side.
  expect(hit).toBeGreaterThan(20);
  expect(hit).toBeLessThan(80);
  await sandbox.control.clearFaults();
});

test('only the calls a ratio fault hits use up its count', async () => {
  await sandbox.control.addFault({ path: '/v1/products', kind: 'status', status: 503, ratio: 0.5, count: 3 });
  const statuses = await productsStatuses(60);
  expect(statuses.filter((status) => status === 503)).toHaveLength(3);
});

test('findSecrets names the secret and its place, never the value; any JWT counts', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl';
  const leaks = findSecrets('worker output', `token ${jwt} and sbx~secret`, { 'client secret': 'sbx~secret' });
  expect(leaks).toEqual([
    { where: 'worker output', what: 'client secret' },
    { where: 'worker output', what: 'access token (JWT)' },
  ]);
  expect(findSecrets('history', '{"quantity":5}', { 'client secret': 'sbx~secret' })).toEqual([]);
});
