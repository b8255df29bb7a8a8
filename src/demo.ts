import { Client, Connection } from '@temporalio/client';
import { startPurchase, type PurchaseRequest } from './client';
import { DEFAULT_TASK_QUEUE, type WorkerConfig } from './config';

/** The banner's example purchase, and the first demo purchase: Business Basic, monthly. */
const EXAMPLE_ITEM = {
  offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
  quantity: 5,
  termDuration: 'P1M',
  billingCycle: 'monthly',
} as const satisfies PurchaseRequest['items'][number];

/** Offers of the sandbox's seeded catalog (Business Basic, Business Premium, Teams Essentials). */
const DEMO_ITEMS: PurchaseRequest['items'][] = [
  [EXAMPLE_ITEM],
  [
    {
      offer: { productId: 'CFQ7TTC0LCHC', skuId: '0002' },
      quantity: 12,
      termDuration: 'P1Y',
      billingCycle: 'monthly',
      friendlyName: 'Sales team',
    },
    {
      offer: { productId: 'CFQ7TTC0RM8K', skuId: '0001' },
      quantity: 3,
      termDuration: 'P1Y',
      billingCycle: 'annual',
      autoRenew: false,
    },
  ],
  [{ offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' }, quantity: 25, termDuration: 'P1Y', billingCycle: 'annual' }],
];

/** Well-formed, but not in the sandbox's catalog: the purchase fails CatalogItemNotFound before any cart. */
const UNKNOWN_OFFER_ITEMS: PurchaseRequest['items'] = [
  { offer: { productId: 'CFQ7TTC0NOPE', skuId: '0001' }, quantity: 1, termDuration: 'P1M', billingCycle: 'monthly' },
];

/** The sandbox seeds its customers in this order of countries (packages/partner-center-sandbox/src/state.ts). */
const SANDBOX_CUSTOMER_MARKETS = [
  { country: 'US', currency: 'USD' },
  { country: 'GB', currency: 'GBP' },
  { country: 'DE', currency: 'EUR' },
];

function demoPurchaseRequest(customerId: string, index: number, requestId: string): PurchaseRequest {
  const market = SANDBOX_CUSTOMER_MARKETS[index % SANDBOX_CUSTOMER_MARKETS.length];
  return { requestId, customerId, ...market, items: DEMO_ITEMS[index % DEMO_ITEMS.length] };
}

/** Workflow ids of the demo purchases, by how each one ends. */
export interface DemoPurchases {
  completing: string[];
  /** Waits for `pcw approve` / `pcw reject` (requireApproval). */
  awaitingApproval: string;
  /** Fails CatalogItemNotFound. */
  failing: string;
}

/**
 * `npm start -- --demo`: purchases to watch in the UI, one of each kind: some that complete, one that waits for
 * approval and one that fails. Each run gets fresh request ids.
 */
export async function submitDemoPurchases(config: WorkerConfig, customerIds: string[]): Promise<DemoPurchases> {
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const runTag = Date.now().toString(36);
    const start = (request: PurchaseRequest) =>
      startPurchase(client, request, { taskQueue: config.taskQueue }).then((handle) => handle.workflowId);
    const [awaitingApproval, failing, ...completing] = await Promise.all([
      start({ ...demoPurchaseRequest(customerIds[0], 0, `demo-${runTag}-approval`), requireApproval: true }),
      start({ ...demoPurchaseRequest(customerIds[0], 0, `demo-${runTag}-unknown-offer`), items: UNKNOWN_OFFER_ITEMS }),
      ...DEMO_ITEMS.map((_, index) =>
        start(demoPurchaseRequest(customerIds[index % customerIds.length], index, `demo-${runTag}-${index + 1}`)),
      ),
    ]);
    return { completing, awaitingApproval, failing };
  } finally {
    await connection.close();
  }
}

/** A value as one shell word (quoted only when it needs to be). */
function shellWord(value: string): string {
  return /^[\w.:@/+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A copy-paste `npx pcw purchase` for one item: idempotent by its --request-id, so running it twice buys once.
 * Temporal settings that differ from pcw's defaults are given in front of it.
 */
export function purchaseCommandExample(config: WorkerConfig, customerId: string): string {
  const environment: string[] = [];
  const address = config.temporal.connectionOptions.address;
  if (address !== undefined && !/^(?:localhost|127\.0\.0\.1):7233$/.test(address))
    environment.push(`TEMPORAL_ADDRESS=${shellWord(address)}`);
  if (config.temporal.namespace !== 'default')
    environment.push(`TEMPORAL_NAMESPACE=${shellWord(config.temporal.namespace)}`);
  if (config.taskQueue !== DEFAULT_TASK_QUEUE) environment.push(`TEMPORAL_TASK_QUEUE=${shellWord(config.taskQueue)}`);
  return [
    ...environment,
    'npx pcw purchase',
    `--customer ${shellWord(customerId)}`,
    '--request-id my-first-purchase',
    `--product ${EXAMPLE_ITEM.offer.productId}`,
    `--sku ${EXAMPLE_ITEM.offer.skuId}`,
    `--quantity ${EXAMPLE_ITEM.quantity}`,
    `--term ${EXAMPLE_ITEM.termDuration}`,
    `--billing ${EXAMPLE_ITEM.billingCycle}`,
    '--wait',
  ].join(' ');
}
