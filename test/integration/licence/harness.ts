import { startRig, type PurchaseRig } from '../purchase/harness';

export interface LicenceRig {
  rig: PurchaseRig;
  /** The sandbox's first seeded customer, whose tenant the tests assign in. */
  customer: string;
  /** A user's principal name in that tenant (its seeded users are user01…user10@domain). */
  upn: (name: string) => string;
}

/** A purchase rig (worker, sandbox, dev server) and the customer tenant the licence tests work in. */
export async function startLicenceRig(options: Parameters<typeof startRig>[0]): Promise<LicenceRig> {
  const rig = await startRig(options);
  const customer = rig.sandbox.customerIds[0];
  const { users } = await rig.sandbox.control.tenant(customer);
  const domain = users[0].userPrincipalName.split('@')[1];
  return { rig, customer, upn: (name) => `${name}@${domain}` };
}
