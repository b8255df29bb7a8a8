import { randomUUID } from 'node:crypto';
import { startLicenceAssignment } from '../../../src/client';
import { startOnboardRig, type OnboardRig } from '../customer/harness';

/** The `licences.assigned` webhook event of an assignment, signed and verified by the receiver, carrying the result. */

let rig: OnboardRig;
beforeAll(async () => {
  rig = await startOnboardRig();
});
afterAll(async () => {
  await rig?.close();
});

it('an assignment that returns sends licences.assigned with every user and no secret', async () => {
  await rig.sandbox.control.setDelays({ licenceVisibilityMs: 0 });
  const customerId = rig.sandbox.customerIds[0];
  const { users } = await rig.sandbox.control.tenant(customerId);
  const subscription = await rig.sandbox.control.seedSubscription({
    customerId,
    productId: 'CFQ7TTC0LH18',
    skuId: '0001',
    quantity: 1,
    termDuration: 'P1Y',
  });
  const assign = [users[0].userPrincipalName, users[1].userPrincipalName];
  const request = { requestId: `lic-${randomUUID()}`, customerId, subscriptionId: subscription.id, assign };
  // Delivered by its own workflow on the worker: awaited while the worker runs.
  const event = await rig.withWorker(async ({ taskQueue }) => {
    const handle = await startLicenceAssignment(rig.client, request, { taskQueue });
    await handle.result();
    return rig.receiver.waitFor((e) => e.type === 'licences.assigned' && e.data.workflowId === handle.workflowId);
  });
  expect(event.data.result).toMatchObject({
    requestId: request.requestId,
    users: [
      { user: assign[0], outcome: 'assigned' },
      { user: assign[1], outcome: 'noLicenceAvailable' },
    ],
  });
  for (const secret of [rig.sandbox.clientSecret, rig.sandbox.refreshToken])
    expect(JSON.stringify(event)).not.toContain(secret);
});
