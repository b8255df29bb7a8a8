import type { Sandbox } from 'partner-center-sandbox';
import { createCatalogResolver, createPartnerCenterClient, createTokenProvider } from '../../src/partner-center';
import { sandboxTokenOptions } from '../../src/sandbox-settings';
import { percentile, round, timed, type Figure } from './report';
import { BUSINESS_BASIC } from './rig';

/** Client and auth: one token for many concurrent callers, request latency and throughput, catalog cache. */
export async function benchClient(sandbox: Sandbox, figures: Figure[], requests: number): Promise<void> {
  const tokens = createTokenProvider(sandboxTokenOptions(sandbox));
  const before = await sandbox.control.counters();
  const [, tokenMs] = await timed(() => Promise.all(Array.from({ length: 100 }, () => tokens.getAccessToken())));
  const after = await sandbox.control.counters();
  figures.push({ name: 'token: 100 concurrent getAccessToken', value: round(tokenMs), unit: 'ms' });
  figures.push({
    name: 'token: requests to the authority for them',
    value: after.tokens.clientCredentials - before.tokens.clientCredentials,
    unit: 'requests',
  });

  const client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens });
  const catalog = createCatalogResolver(client, {});
  const query = {
    ...BUSINESS_BASIC,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    country: 'US',
    segment: 'commercial',
  } as const;
  const [, coldMs] = await timed(() => catalog.resolve(query));
  const [, warmMs] = await timed(() => catalog.resolve(query));
  figures.push({ name: 'catalog resolve, cold (product → SKU → availabilities)', value: round(coldMs), unit: 'ms' });
  figures.push({ name: 'catalog resolve, cached', value: round(warmMs, 3), unit: 'ms' });

  // Lift the sandbox's realistic 500/min throttle: this measures the client, not Partner Center's limits.
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  const latencies: number[] = [];
  const concurrency = 16;
  let next = 0;
  const [, totalMs] = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next += 1;
          const [, ms] = await timed(() => client.listProducts({ country: 'US', targetView: 'OnlineServices' }));
          latencies.push(ms);
        }
      }),
    ),
  );
  latencies.sort((a, b) => a - b);
  figures.push({
    name: `client: GET /products x${requests}, ${concurrency} in flight`,
    value: round((requests / totalMs) * 1000),
    unit: 'req/s',
  });
  figures.push({ name: 'client: request latency p50', value: round(percentile(latencies, 50), 2), unit: 'ms' });
  figures.push({ name: 'client: request latency p95', value: round(percentile(latencies, 95), 2), unit: 'ms' });
}
