import { Client, Connection } from '@temporalio/client';
import { startPurchase, type PurchaseRequest } from './client';
import type { WorkerConfig } from './config';

/** Offers of the sandbox's seeded catalog (Business Basic, Business Premium, Teams Essentials). */
const DEMO_ITEMS: PurchaseRequest['items'][] = [
  [{ offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' }, quantity: 5, termDuration: 'P1M', billingCycle: 'monthly' }],
  [
    { offer: { productId: 'CFQ7TTC0LCHC', skuId: '0002' }, quantity: 12, termDuration: 'P1Y', billingCycle: 'monthly', friendlyName: 'Sales team' },
    { offer: { productId: 'CFQ7TTC0RM8K', skuId: '0001' }, quantity: 3, termDuration: 'P1Y', billingCycle: 'annual', autoRenew: false },
  ],
  [{ offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' }, quantity: 25, termDuration: 'P1Y', billingCycle: 'annual' }],
];

/** The sandbox seeds its customers in this order of countries (src/sandbox/state.ts). */
const SANDBOX_CUSTOMER_MARKETS = [
  { country: 'US', currency: 'USD' },
  { country: 'GB', currency: 'GBP' },
  { country: 'DE', currency: 'EUR' },
];

export function demoPurchaseRequest(customerId: string, index: number, requestId: string): PurchaseRequest {
  const market = SANDBOX_CUSTOMER_MARKETS[index % SANDBOX_CUSTOMER_MARKETS.length];
  return { requestId, customerId, ...market, items: DEMO_ITEMS[index % DEMO_ITEMS.length] };
}

/** `npm start -- --demo`: a few purchases to watch in the UI; each run gets fresh request ids. */
export async function submitDemoPurchases(config: WorkerConfig, customerIds: string[]): Promise<string[]> {
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const runTag = Date.now().toString(36);
    const handles = await Promise.all(
      DEMO_ITEMS.map((_, index) =>
        startPurchase(
          client,
          demoPurchaseRequest(customerIds[index % customerIds.length], index, `demo-${runTag}-${index + 1}`),
          { taskQueue: config.taskQueue },
        ),
      ),
    );
    return handles.map((handle) => handle.workflowId);
  } finally {
    await connection.close();
  }
}

/** A copy-paste command that submits one purchase with the `temporal` CLI. */
export function purchaseCommandExample(config: WorkerConfig, customerId: string, temporalCli: string): string {
  const request = demoPurchaseRequest(customerId, 0, 'my-first-purchase');
  return [
    temporalCli,
    'workflow start',
    `--address ${config.temporal.connectionOptions.address}`,
    `--namespace ${config.temporal.namespace}`,
    `--task-queue ${config.taskQueue}`,
    '--type purchaseSubscription',
    `--workflow-id purchase-${request.requestId}`,
    `--input '${JSON.stringify(request)}'`,
  ].join(' ');
}
