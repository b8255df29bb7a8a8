import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  validateSubscriptionChangeRequest,
  validatePurchaseRequest,
  validateReconcileRequest,
  validateOnboardRequest,
  validateLicenceRequest,
} from '../../../src/client';
import { CATALOG_PRODUCTS, startSandbox, type Sandbox } from 'partner-center-sandbox';

const examplesDir = join(__dirname, '..', '..', '..', 'examples');
const files = readdirSync(examplesDir).filter((file) => file.endsWith('.json'));
const read = (file: string): unknown => JSON.parse(readFileSync(join(examplesDir, file), 'utf8'));

/** The workflow each example is for, by its name: the same validation the workflow starts with. */
const validators = {
  purchase: validatePurchaseRequest,
  subscription: validateSubscriptionChangeRequest,
  billing: validateReconcileRequest,
  onboard: validateOnboardRequest,
  licences: validateLicenceRequest,
} as const;

function validatorOf(file: string) {
  const kind = (Object.keys(validators) as Array<keyof typeof validators>).find((prefix) =>
    file.startsWith(`${prefix}`),
  );
  if (kind === undefined)
    throw new Error(
      `examples/${file}: name it purchase*, subscription*, billing*, onboard* or licences* (its context) so a test validates it`,
    );
  return validators[kind];
}

describe('examples/', () => {
  let sandbox: Sandbox;
  // The sandbox `npm start` runs (default seed): its customers are the ones the examples name.
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, authorityPort: 0 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('holds a request for each workflow', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'purchase.json',
        'purchase-with-approval.json',
        'subscription-change-quantity.json',
        'subscription-change-cancel.json',
        'billing-reconcile-current.json',
      ]),
    );
  });

  it.each(files)('%s is valid for its workflow', (file) => {
    const validation = validatorOf(file)(read(file));
    expect(validation.ok ? [] : validation.problems).toEqual([]);
  });

  // An onboarding names no customer: it makes one (or invites a tenant).
  it.each(files.filter((file) => !file.startsWith('onboard')))('%s names a customer the sandbox seeds', (file) => {
    const { customerId } = read(file) as { customerId?: string };
    expect(sandbox.customerIds).toContain(customerId);
  });

  it.each(files.filter((file) => file.startsWith('purchase')))('%s buys offers of the sandbox catalog', (file) => {
    const { items } = read(file) as {
      items: Array<{ offer: { productId: string; skuId: string }; termDuration: string }>;
    };
    for (const { offer, termDuration } of items) {
      const sku = CATALOG_PRODUCTS.find((p) => p.id === offer.productId)?.skus.find((s) => s.id === offer.skuId);
      expect(sku?.terms).toContain(termDuration);
    }
  });

  it('are each explained in examples/README.md', () => {
    const readme = readFileSync(join(examplesDir, 'README.md'), 'utf8');
    for (const file of files) expect(readme).toContain(file);
  });
});
