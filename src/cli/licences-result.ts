import type { LicenceResult } from '../client';

/** `SKU 3/5 assigned; 2 assigned, 1 userNotFound (ghost@…)`: the result in one line, every user not changed named. */
export function describeLicenceResult(result: LicenceResult): string {
  const counts = new Map<string, number>();
  for (const { outcome } of result.users) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  const tally = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  const refused = result.users
    .filter((u) => u.outcome === 'userNotFound' || u.outcome === 'noLicenceAvailable')
    .map((u) => `${u.user}: ${u.outcome}${u.detail !== undefined ? ` (${u.detail})` : ''}`);
  return (
    `SKU ${result.sku.skuId} ${result.sku.consumed}/${result.sku.total} assigned; ${tally}` +
    (refused.length > 0 ? `; ${refused.join('; ')}` : '')
  );
}
