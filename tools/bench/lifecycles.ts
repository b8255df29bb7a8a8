import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Sandbox } from 'partner-center-sandbox';
import { signalSubscriptionChanged, startPurchase, viewSubscriptionLifecycle } from '../../src/client';
import type { LifecycleState } from '../../src/workflows/subscription/api';
import { adoptSubscriptions } from '../../src/cli/subscriptions-adopt';
import { freePort } from '../../src/dev/temporal-dev-server';
import { createPartnerCenterClient, createTokenProvider } from '../../src/partner-center';
import { sandboxTokenOptions } from '../../src/sandbox-settings';
import { requestsByOutcome } from './budget';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from './processes';
import { mib, progress, round, scenario, seconds, sleep, timed, type Figure } from './report';
import { benchPurchase, requestCount, timeToCheckout, type TemporalRig } from './rig';
import { PRODUCTION_POLLING, rssSampler } from './waiting';

const BUDGET_PER_MINUTE = 400;
const SUBSCRIPTIONS_PER_CUSTOMER = 50;
/** Ten annual offers, five subscriptions of each per customer: a review reads its SKU's four other subscriptions. */
const OFFERS = [
  { productId: 'CFQ7TTC0LH18', skuId: '0001' },
  { productId: 'CFQ7TTC0LDPB', skuId: '0001' },
  { productId: 'CFQ7TTC0LCHC', skuId: '0002' },
  { productId: 'CFQ7TTC0LF8Q', skuId: '0001' },
  { productId: 'CFQ7TTC0LF8R', skuId: '0001' },
  { productId: 'CFQ7TTC0LFLX', skuId: '0002' },
  { productId: 'CFQ7TTC0LFLZ', skuId: '0002' },
  { productId: 'CFQ7TTC0RM8K', skuId: '0001' },
  { productId: 'CFQ7TTC0HHS9', skuId: '0003' },
  { productId: 'CFQ7TTC0LH0Z', skuId: '0001' },
];
const SEATS = 10;
/** Of the 50 seats of a SKU (5 × 10): a review plans the next term at 45 − 40 others = 5 seats. */
const ASSIGNED = 45;
const PLANNED_SEATS = ASSIGNED - 4 * SEATS;
/** Annual terms end in a year: their reviews wait ~51 weeks; a term ending in 3 days is due at once. */
const LEAD_TIME = '7d';
const WAVE_TERM_END_DAYS = 3;
/** When, after the wave's reviews fell due, the purchase whose time to checkout is measured starts. */
const LATE_PURCHASE_AFTER_MS = 20_000;

const isPartnerCenter = (key: string) => key.includes(' /v1/');

interface Seeded {
  customerId: string;
  subscriptionId: string;
  offer: (typeof OFFERS)[number];
}

export interface LifecyclesOptions {
  count: number;
  wave: number;
  idleWindowMs: number;
  workerNodeFlags: string[];
}

/**
 * Issue 24's scale targets on a worker process with the real options (PARTNER_CENTER_REQUESTS_PER_MINUTE = 400,
 * sandbox limit 500/min): `count` annual subscriptions (50 per customer) adopted through `adoptSubscriptions`, held
 * idle on their review timers, then a wave of `wave` reviews due at once, with 'apply', and a purchase started
 * during the wave.
 */
export async function benchLifecycles(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  options: LifecyclesOptions,
): Promise<void> {
  const taskQueue = `bench-lifecycles-${randomUUID()}`;
  const metricsPort = await freePort();
  await sandbox.control.reset(); // the scenarios before left subscriptions; their counters too
  await sandbox.control.setDelays({ orderCompletionMs: 300, orderListMs: 0 });
  const seeded = await scenario(`seed ${options.count} annual subscriptions, 50 per customer`, () =>
    seedSubscriptions(sandbox, options.count),
  );
  const worker = startWorkerProcess(
    sandboxWorkerEnv(
      sandbox,
      { address: rig.server.address, taskQueue },
      {
        ...PRODUCTION_POLLING,
        PARTNER_CENTER_REQUESTS_PER_MINUTE: String(BUDGET_PER_MINUTE),
        METRICS_PORT: String(metricsPort),
        MICROSOFT_GRAPH_BASE_URL: sandbox.graphBaseUrl,
      },
    ),
    options.workerNodeFlags,
  );
  try {
    await worker.started();
    figures.push({
      name: 'lifecycles: worker RSS once started, nothing run yet',
      value: mib(worker.rss()),
      unit: 'MiB',
    });
    const run: LifecyclesRun = { rig, sandbox, figures, taskQueue, worker, metricsPort };
    await adoptAndIdle(run, seeded.length, options.idleWindowMs);
    // `--renewal-wave 0`: adoption and idle only (10,000 adopt in minutes; their wave would take hours under 400/min).
    if (options.wave > 0) await renewalWave(run, pickWave(seeded, options.wave));
  } finally {
    await worker.stop('SIGTERM');
  }
}

interface LifecyclesRun {
  rig: TemporalRig;
  sandbox: Sandbox;
  figures: Figure[];
  taskQueue: string;
  worker: WorkerProcess;
  metricsPort: number;
}

async function seedSubscriptions(sandbox: Sandbox, count: number): Promise<Seeded[]> {
  const customers = await sandbox.control.addCustomers({ count: Math.ceil(count / SUBSCRIPTIONS_PER_CUSTOMER) });
  const wanted = Array.from({ length: count }, (_, i) => ({
    customerId: customers[Math.floor(i / SUBSCRIPTIONS_PER_CUSTOMER)],
    offer: OFFERS[i % OFFERS.length],
  }));
  const seeded: Seeded[] = [];
  // 10 at a time: each sandbox request settles every subscription, so 10,000 take minutes and a deep queue of
  // requests on the bench's own event loop lost a connection ('fetch failed'); such a loss is retried once.
  const seed = ({ customerId, offer }: (typeof wanted)[number]) => {
    const once = () => sandbox.control.seedSubscription({ customerId, ...offer, termDuration: 'P1Y', quantity: SEATS });
    return once().catch((error: Error) => {
      if (error.message !== 'fetch failed') throw error;
      progress(`       seeding: ${String((error.cause as Error | undefined)?.message ?? error)}; retried`);
      return once();
    });
  };
  for (let i = 0; i < wanted.length; i += 10) {
    const batch = wanted.slice(i, i + 10);
    const ids = await Promise.all(batch.map(seed));
    batch.forEach((entry, j) => seeded.push({ ...entry, subscriptionId: ids[j].id }));
  }
  return seeded;
}

/** The lifecycles of `taskQueue` at `step` (visibility, so a few seconds behind). */
async function lifecyclesAt(client: Client, taskQueue: string, step: string): Promise<number> {
  const query = `WorkflowType = 'subscriptionLifecycle' AND TaskQueue = '${taskQueue}' AND PcStep = '${step}'`;
  return (await client.workflow.count(query)).count;
}

/** Resolves once `count` lifecycles are at `step`, saying how far it got every 10 s. */
async function untilAt(run: LifecyclesRun, step: string, count: number): Promise<void> {
  let lastSaid = performance.now();
  for (;;) {
    const at = await lifecyclesAt(run.rig.client, run.taskQueue, step);
    if (at >= count) return;
    if (performance.now() - lastSaid > 10_000) {
      progress(`       ${at}/${count} ${step}, worker RSS ${mib(run.worker.rss())} MiB`);
      lastSaid = performance.now();
    }
    await sleep(2000);
  }
}

/** Partner Center requests (sandbox counters) and the worker's 429s so far. */
async function requestsSoFar(run: LifecyclesRun): Promise<{ requests: number; throttled: number }> {
  const byOutcome = await requestsByOutcome(run.metricsPort);
  return { requests: await requestCount(run.sandbox, isPartnerCenter), throttled: byOutcome['429'] ?? 0 };
}

async function adoptAndIdle(run: LifecyclesRun, count: number, idleWindowMs: number): Promise<void> {
  const { sandbox, figures, worker } = run;
  const where = `${count} annual subscriptions, ${count / SUBSCRIPTIONS_PER_CUSTOMER} customers × 50, PARTNER_CENTER_REQUESTS_PER_MINUTE=${BUDGET_PER_MINUTE}, sandbox limit 500/min`;
  const adoptionCalls = { requests: 0, throttled: 0 };
  const pc = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
    onCall: (call) => {
      adoptionCalls.requests += 1;
      if (call.outcome === '429') adoptionCalls.throttled += 1;
    },
  });
  const sampler = rssSampler(worker);
  const before = await requestsSoFar(run);
  const started = performance.now();
  const [summary, adoptMs] = await scenario(`adopt ${count} subscriptions (adoptSubscriptions, --all)`, () =>
    timed(() => adoptSubscriptions(run.rig.client, pc, { taskQueue: run.taskQueue, policy: waitingPolicy() })),
  );
  if (summary.adopted !== count) throw new Error(`adopted ${summary.adopted} of ${count}: ${JSON.stringify(summary)}`);
  await scenario(`${count} lifecycles read their subscription and idle on their review timers`, () =>
    untilAt(run, 'awaiting-review', count),
  );
  const idleMs = performance.now() - started;
  const after = await requestsSoFar(run);
  sampler.stop();
  figures.push({ name: 'lifecycles: adoption, wall time', value: round(adoptMs / 1000), unit: 's', note: where });
  figures.push({
    name: 'lifecycles: adoption, its own Partner Center requests',
    value: adoptionCalls.requests,
    unit: 'requests',
    note: `${summary.customers} customers listed, their subscriptions listed; ${adoptionCalls.throttled} answered 429`,
  });
  const requests = after.requests - before.requests;
  figures.push({
    name: 'lifecycles: adoption until every lifecycle idles',
    value: round(idleMs / 60_000, 2),
    unit: 'min',
    note: 'each lifecycle starts from the subscription as adoption listed it (no read of its own)',
  });
  figures.push({
    name: 'lifecycles: Partner Center requests, adoption to idle',
    value: requests,
    unit: 'requests',
    note: `sandbox counters; ${after.throttled - before.throttled} answered 429 to the worker, ${adoptionCalls.throttled} to the adoption`,
  });
  figures.push({
    name: 'lifecycles: Partner Center requests per minute, adoption to idle',
    value: round(requests / (idleMs / 60_000), 1),
    unit: 'requests/min',
    note: `budget ${BUDGET_PER_MINUTE}/min`,
  });
  figures.push({
    name: `lifecycles: peak worker RSS while ${count} were adopted`,
    value: mib(sampler.peak()),
    unit: 'MiB',
  });
  await measureIdle(run, count, idleWindowMs);
}

/** Adopted lifecycles wait: review 'apply', seven days before the term ends. */
function waitingPolicy() {
  return { review: 'apply', leadTime: LEAD_TIME } as const;
}

async function measureIdle(run: LifecyclesRun, count: number, windowMs: number): Promise<void> {
  const { figures, worker } = run;
  await sleep(10_000); // the last reads' workflow tasks
  const requestsBefore = await requestCount(run.sandbox, isPartnerCenter);
  const cpuBefore = worker.cpuMs();
  const started = performance.now();
  await scenario(`${count} lifecycles idle for ${seconds(windowMs)}`, () => sleep(windowMs));
  const elapsedMs = performance.now() - started;
  const requests = (await requestCount(run.sandbox, isPartnerCenter)) - requestsBefore;
  figures.push({
    name: `lifecycles: ${count} idle on their review timers, worker RSS`,
    value: mib(worker.rss()),
    unit: 'MiB',
    note: 'at the end of the idle window; target ≤ 300 MiB',
  });
  figures.push({
    name: 'lifecycles: Partner Center requests per minute while idle',
    value: round(requests / (elapsedMs / 60_000), 2),
    unit: 'requests/min',
    note: `${requests} in ${seconds(elapsedMs)}; target 0`,
  });
  const cpuMs = worker.cpuMs() - cpuBefore;
  figures.push({
    name: 'lifecycles: worker CPU while idle',
    value: round((cpuMs / elapsedMs) * 100),
    unit: '% of a core',
  });
}

/** `size` subscriptions spread over the customers: each customer's first subscription, then its second, … (one of each SKU before any SKU's second). */
function pickWave(seeded: Seeded[], size: number): Seeded[] {
  if (size > seeded.length) throw new Error(`a wave of ${size} needs as many subscriptions (${seeded.length} seeded)`);
  const byIndex = seeded.map((s, i) => ({ s, rank: i % SUBSCRIPTIONS_PER_CUSTOMER, customer: i }));
  return byIndex
    .sort((a, b) => a.rank - b.rank || a.customer - b.customer)
    .slice(0, size)
    .map(({ s }) => s);
}

/**
 * The wave: the subscriptions' terms now end in 3 days (inside the 7-day lead time) and their SKUs have 45 of 50
 * seats assigned; a subscriptionChanged signal makes each lifecycle re-read it, so every review is due at once.
 */
async function renewalWave(run: LifecyclesRun, wave: Seeded[]): Promise<void> {
  const { sandbox, figures, rig } = run;
  const lastDay = new Date(Date.now() + WAVE_TERM_END_DAYS * 86_400_000).toISOString().slice(0, 10);
  await scenario(`${wave.length} terms moved to end ${lastDay}, 45 of 50 seats of their SKUs assigned`, async () => {
    const pairs = new Map(wave.map((s) => [`${s.customerId}|${s.offer.productId}`, s]));
    await inBatches([...pairs.values()], (s) =>
      sandbox.control.setAssignedSeats(s.customerId, { productId: s.offer.productId, assigned: ASSIGNED }),
    );
    await inBatches(wave, (s) => sandbox.control.setTermEnd(s.subscriptionId, lastDay));
  });
  const before = await requestsSoFar(run);
  const patchesBefore = await requestCount(sandbox, (key) => key.startsWith('PATCH '));
  const started = performance.now();
  await inBatches(wave, (s) => signalSubscriptionChanged(rig.client, s.subscriptionId, 'bench: term end moved'));
  const late = sleep(LATE_PURCHASE_AFTER_MS).then(async () => {
    const handle = await startPurchase(rig.client, benchPurchase(sandbox, 0, 'lifecycles-late'), {
      taskQueue: run.taskQueue,
    });
    return timeToCheckout(handle, 60 * 60_000);
  });
  await scenario(`${wave.length} reviews due at once, review 'apply'`, () =>
    untilAt(run, 'awaiting-renewal', wave.length),
  );
  const waveMs = performance.now() - started;
  const after = await requestsSoFar(run);
  const lateSeconds = await late;
  const where = `${wave.length} reviews over ${new Set(wave.map((s) => s.customerId)).size} customers, budget ${BUDGET_PER_MINUTE}/min`;
  figures.push({
    name: 'lifecycles: renewal wave, all reviews done',
    value: round(waveMs / 60_000, 2),
    unit: 'min',
    note: `${where}; target: within the hour`,
  });
  figures.push({
    name: 'lifecycles: renewal wave, reviews per minute',
    value: round(wave.length / (waveMs / 60_000), 1),
    unit: 'reviews/min',
  });
  figures.push({
    name: 'lifecycles: renewal wave, Partner Center requests per review',
    value: round((after.requests - before.requests) / wave.length, 2),
    unit: 'requests',
    note: `sandbox counters (the late purchase's included); ${after.throttled - before.throttled} answered 429; ${(await requestCount(sandbox, (key) => key.startsWith('PATCH '))) - patchesBefore} PATCHes`,
  });
  figures.push({
    name: 'lifecycles: time to checkout of a purchase during the wave',
    value: round(lateSeconds),
    unit: 's',
    note: `started ${LATE_PURCHASE_AFTER_MS / 1000} s into the wave; target ≤ 30 s`,
  });
  await checkReviews(run, wave, lastDay);
  await nextTermSeats(run, wave);
}

/**
 * The seats each wave SKU keeps next term, summed over the customer's subscriptions of it (Partner Center's
 * scheduled quantities), against the 45 assigned: below means the plans together cut seats still in use.
 */
async function nextTermSeats(run: LifecyclesRun, wave: Seeded[]): Promise<void> {
  const pc = createPartnerCenterClient({
    baseUrl: run.sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(run.sandbox)),
  });
  const perSku = new Map(wave.map((s) => [`${s.customerId}|${s.offer.productId}`, 0]));
  for (const customerId of new Set(wave.map((s) => s.customerId))) {
    for (const subscription of await pc.listSubscriptions(customerId)) {
      const key = `${customerId}|${String(subscription.offerId).split(':')[0].toUpperCase()}`;
      const seats = subscription.scheduledNextTermInstructions?.quantity ?? subscription.quantity;
      const sum = perSku.get(key);
      if (sum !== undefined) perSku.set(key, sum + seats);
    }
  }
  const seats = [...perSku.values()];
  run.figures.push({
    name: `lifecycles: renewal wave, SKUs left with fewer seats next term than the ${ASSIGNED} assigned`,
    value: seats.filter((n) => n < ASSIGNED).length,
    unit: 'SKUs',
    note: `of ${seats.length} (customer, SKU) pairs in the wave; fewest next-term seats ${Math.min(...seats)}`,
  });
}

/**
 * A sample of the wave must show this term reviewed. A review alone in its SKU plans 5 seats (45 assigned − 40 on
 * the others) and applies it; when a customer's subscriptions of a SKU are reviewed together, those that see the
 * others' plans already applied find nothing to cut.
 */
async function checkReviews(run: LifecyclesRun, wave: Seeded[], lastDay: string): Promise<void> {
  const renewsAt = new Date(Date.parse(lastDay) + 86_400_000).toISOString();
  const sample = wave.filter((_, i) => i % Math.max(1, Math.floor(wave.length / 20)) === 0);
  let applied = 0;
  for (const s of sample) {
    const view = await viewSubscriptionLifecycle(run.rig.client, s.subscriptionId);
    const state = view.status as LifecycleState | undefined;
    const review = state?.reviews.at(-1);
    if (review?.renewsAt !== renewsAt || !['plan-applied', 'nothing-to-cut'].includes(review.outcome))
      throw new Error(
        `lifecycle of ${s.subscriptionId} did not review its term ending ${lastDay}: ${JSON.stringify(view)}`,
      );
    if (state?.plan?.status === 'applied' && state.plan.quantity === PLANNED_SEATS) applied += 1;
  }
  if (applied === 0)
    throw new Error(`none of ${sample.length} sampled lifecycles applied a plan of ${PLANNED_SEATS} seats`);
  progress(
    `       ${sample.length} sampled lifecycles reviewed the term; ${applied} applied a plan of ${PLANNED_SEATS} seats`,
  );
}

async function inBatches<T>(items: T[], job: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 50) await Promise.all(items.slice(i, i + 50).map(job));
}
