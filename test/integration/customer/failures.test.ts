import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { cancelOnboardingUpdate } from '../../../src/client';
import { recordHistory } from '../purchase/harness';
import { createRequest, startOnboardRig, untilStep, type OnboardRig } from './harness';

/**
 * onboardCustomer's remaining outcomes against the sandbox: Partner Center refusing the creation, refused
 * credentials (Unauthorized, MfaRequired) before anything is created, an MCA already on record (600061) as success,
 * and a cancel before the customer exists.
 */

let rig: OnboardRig;
beforeAll(async () => {
  rig = await startOnboardRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
});

const CREATES = 'POST /v1/customers';
const creates = async () => (await rig.sandbox.control.counters()).requests[CREATES] ?? 0;

async function failureOf(handle: { result(): Promise<unknown> }): Promise<ApplicationFailure | CancelledFailure> {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError)) throw new Error(`expected a failed run, got ${String(error)}`);
  if (error.cause instanceof ApplicationFailure || error.cause instanceof CancelledFailure) return error.cause;
  throw new Error(`expected an application failure or a cancellation, got ${String(error.cause)}`);
}

it('Partner Center refusing the creation → CustomerCreationRefused with its words and its event, nothing created', async () => {
  const request = createRequest();
  // A valid ISO 3166-1 country the sandbox does not sell in: Partner Center's own refusal, not the validation's.
  request.customer.create!.country = 'FR';
  await rig.withWorker(async ({ start }) => {
    const handle = await start(request);
    const failure = (await failureOf(handle)) as ApplicationFailure;
    expect(failure.type).toBe('CustomerCreationRefused');
    expect(failure.message).toContain('FR');
    const event = await rig.receiver.waitFor(
      (e) => e.type === 'customer.onboarding-failed' && e.data.workflowId === handle.workflowId,
    );
    expect(JSON.stringify(event)).toContain('CustomerCreationRefused');
    await recordHistory('onboard-creation-refused', handle);
  });
  expect(await creates()).toBe(1);
  expect((await rig.sandbox.control.counters()).requests['GET /v1/customers']).toBeUndefined();
});

it.each([
  ['MfaRequired', { mfaClaim: false }, /MFA required/],
  ['Unauthorized', { legacyAudience: true }, /not meant for Partner Center \(wrong audience/],
])('a refused App+User token → %s at the domain check, nothing created', async (type, policy, words) => {
  await rig.sandbox.control.setAuthorityPolicy(policy);
  await rig.withWorker(async ({ start }) => {
    const failure = (await failureOf(await start(createRequest()))) as ApplicationFailure;
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(words);
    expect(failure.message).not.toContain(rig.sandbox.refreshToken);
  });
  expect(await creates()).toBe(0);
});

it('onboarding a customer again: adopted by its domain, its MCA already on record (600061) is success', async () => {
  const first = createRequest();
  const again = { ...createRequest(), customer: first.customer };
  const [created, adopted] = await rig.withWorker(async ({ start }) => [
    await (await start(first)).result(),
    await (await start(again)).result(),
  ]);
  expect(adopted).toMatchObject({ customerId: created.customerId, created: true });
  expect(adopted.agreement.templateId).toBe(created.agreement.templateId);
  const counters = await rig.sandbox.control.counters();
  expect(counters.requests[CREATES]).toBe(1);
  expect(counters.requests['POST /v1/customers/{customerId}/agreements']).toBe(2);
});

it('cancel before the customer exists: nothing created, the run ends cancelled', async () => {
  // The domain check is held 3 s: the cancel arrives while it is in flight, before any create.
  await rig.sandbox.control.addFault({ method: 'HEAD', path: '/v1/domains/*', kind: 'latency', latencyMs: 3000 });
  await rig.withWorker(async ({ start }) => {
    const handle = await start(createRequest());
    await untilStep(handle, 'checking-domain');
    const ack = await handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'signed up by mistake' }] });
    expect(ack).toEqual({ step: 'checking-domain', nothingCreated: true });
    const failure = await failureOf(handle);
    expect(failure).toBeInstanceOf(CancelledFailure);
    expect(failure.message).toContain('nothing was created');
    await recordHistory('onboard-cancelled-before-creation', handle);
  });
  expect(await creates()).toBe(0);
});
