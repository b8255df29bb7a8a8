import type { Sandbox } from '../../src';
import { sandboxForFile } from './helpers';

/** The control routes that shape a tenant for licence tests: seeded users, and the seats a subscription's SKU has taken. */

let sandbox: Sandbox;
let customer: string;

sandboxForFile({ seed: 72, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, customer } = started);
});

const control = (method: string, path: string, body: unknown) =>
  fetch(`${sandbox.baseUrl}/_sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('seeding users', () => {
  it('adds named users, located in the customer country unless told otherwise, once', async () => {
    const seeded = await sandbox.control.seedUsers(customer, {
      users: [
        { userPrincipalName: 'Ada@contoso.example', displayName: 'Ada' },
        { userPrincipalName: 'nowhere@contoso.example', usageLocation: null },
        { userPrincipalName: 'fr@contoso.example', usageLocation: 'fr' },
      ],
    });
    expect(seeded.users.map((u) => u.userPrincipalName)).toEqual([
      'Ada@contoso.example',
      'nowhere@contoso.example',
      'fr@contoso.example',
    ]);
    const again = await sandbox.control.seedUsers(customer, { users: [{ userPrincipalName: 'ada@CONTOSO.example' }] });
    expect(again.users[0].id).toBe(seeded.users[0].id);
    expect(again.total).toBe(seeded.total);
    const { users } = await sandbox.control.tenant(customer);
    const byUpn = new Map(users.map((u) => [u.userPrincipalName, u]));
    expect(byUpn.get('nowhere@contoso.example')?.usageLocation).toBeUndefined();
    expect(byUpn.get('fr@contoso.example')?.usageLocation).toBe('FR');
    expect(byUpn.get('Ada@contoso.example')?.usageLocation).toMatch(/^[A-Z]{2}$/);
  });

  it('adds counted users on a domain', async () => {
    const before = (await sandbox.control.tenant(customer)).users.length;
    const seeded = await sandbox.control.seedUsers(customer, { count: 500, domain: 'bulk.example' });
    expect(seeded.users).toHaveLength(500);
    expect(seeded.users[499].userPrincipalName).toBe('seeded-0500@bulk.example');
    expect(seeded.total).toBe(before + 500);
  });

  it('refuses a bad body and an unknown customer', async () => {
    expect((await control('POST', `/customers/${customer}/users`, { count: 0 })).status).toBe(400);
    expect(
      (await control('POST', `/customers/${customer}/users`, { users: [{ userPrincipalName: 'x' }] })).status,
    ).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await control('POST', `/customers/${unknown}/users`, { count: 1 })).status).toBe(404);
  });
});

describe('consumed seats', () => {
  it("makes exactly that many users hold the subscription's SKU", async () => {
    const subscription = await sandbox.control.seedSubscription({
      customerId: customer,
      productId: 'CFQ7TTC0LH18',
      skuId: '0001',
      quantity: 5,
      termDuration: 'P1Y',
    });
    const consumed = await sandbox.control.setConsumedSeats(subscription.id, 3);
    expect(consumed).toMatchObject({ subscriptionId: subscription.id, consumed: 3 });
    const holders = (await sandbox.control.tenant(customer)).users.filter((u) =>
      u.assignedSkuIds.includes(consumed.skuId),
    );
    expect(holders).toHaveLength(3);
    await sandbox.control.setConsumedSeats(subscription.id, 1);
    const after = (await sandbox.control.tenant(customer)).users.filter((u) =>
      u.assignedSkuIds.includes(consumed.skuId),
    );
    expect(after).toHaveLength(1);
    expect((await control('POST', '/subscriptions/nope/consumed', { seats: 1 })).status).toBe(404);
  });
});
