import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as publicSurface from '../../src';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  bin: Record<string, string>;
};

describe('the package manifest', () => {
  it('points main and types at the compiled src/index.ts, the public surface for upstream callers', () => {
    expect(manifest.main).toBe('lib/index.js');
    expect(manifest.types).toBe('lib/index.d.ts');
    expect(existsSync(join(root, 'src', 'index.ts'))).toBe(true);
    expect(Object.keys(publicSurface)).toEqual(
      expect.arrayContaining([
        'startPurchase',
        'startSubscriptionChange',
        'startBillingReconciliation',
        'scheduleBillingReconciliation',
        'PurchaseRequestSchema',
        'purchaseFailureTypes',
      ]),
    );
  });

  it('has a bin for every file it names', () => {
    for (const file of Object.values(manifest.bin)) expect(existsSync(join(root, file))).toBe(true);
  });
});
