import { log, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { LicenceActivities } from '../../activities';
import { getWorkerSettings, partnerCenterCall, poller, recordedValidation } from '../common/activity-options';
import { detailLines } from '../common/details';
import { withWebhookEvents } from '../common/events';
import { runFailure } from '../common/run-failure';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../common/search-attributes';
import type { WorkerSettings } from '../common/settings';
import { licenceRunFailures } from './failures';
import { licenceStatusQuery } from './messages';
import { describeLicenceRequest, invalidLicenceRequest, licenceBatches, licenceVisibilityDeadlineMs } from './rules';
import type {
  LicenceRequest,
  LicenceResult,
  LicenceSku,
  LicenceStatus,
  LicenceStep,
  LicenceUserResult,
  ValidLicenceRequest,
} from './types';

/** Reads and the batches: transient failures (429 after Retry-After, 5xx) retried until they succeed. */
const calls = proxyActivities<LicenceActivities>(partnerCenterCall);

/**
 * A batch of users: up to 50 Graph calls, so longer than one call's two minutes; it heartbeats after each user, so a
 * lost worker is noticed within the heartbeat timeout and the retry resumes from its checkpoint.
 */
const batches = proxyActivities<LicenceActivities>({ ...partnerCenterCall, startToCloseTimeout: '15m' });

/**
 * Contract §3 (v3): give users the licences of a subscription in the customer's tenant, and take them from others.
 * Waits until the subscription shows in the tenant (up to LICENCE_VISIBILITY_DEADLINE), then changes each user
 * through Graph, and reports every user's outcome with the SKU's seats after.
 */
export async function assignLicences(input: LicenceRequest): Promise<LicenceResult> {
  return withWebhookEvents(() => new LicenceRun().run(input), { succeeded: () => 'licences.assigned' });
}

/** One assignment: its state, its status query and one method per step. */
class LicenceRun {
  private readonly status: LicenceStatus = {
    step: 'validating',
    done: 0,
    users: 0,
    updatedAt: new Date().toISOString(),
  };
  private summary?: string;

  constructor() {
    setHandler(licenceStatusQuery, () => ({ ...this.status }));
  }

  async run(input: LicenceRequest): Promise<LicenceResult> {
    try {
      const request = await this.validate(input);
      const settings = await getWorkerSettings();
      const visible = await this.awaitVisible(request, settings);
      const users = await this.assign(request, visible);
      const { requestId, customerId, subscriptionId } = request;
      const sku = await calls.readLicenceSku.executeWithOptions(
        { summary: `Read the seats of SKU ${visible.skuId} after the assignments` },
        [{ customerId, subscriptionId }],
      );
      this.setStep('completed');
      return { requestId, customerId, subscriptionId, sku, users };
    } catch (err) {
      const failure = runFailure(err, licenceRunFailures);
      this.status.lastError = failure.message;
      this.setStep('failed');
      throw failure;
    }
  }

  private async validate(input: LicenceRequest): Promise<ValidLicenceRequest> {
    // Recorded (a local activity), so a schema edit never changes the request a started run works on.
    const validation = await recordedValidation.normaliseLicenceRequest(input);
    if (!validation.ok) throw invalidLicenceRequest(validation.problems);
    const { customerId, subscriptionId, assign, remove } = validation.request;
    this.status.customerId = customerId;
    this.status.subscriptionId = subscriptionId;
    this.status.users = assign.length + remove.length;
    this.summary = describeLicenceRequest(validation.request);
    upsertSearchAttributes([
      { key: PcCustomerId, value: customerId },
      { key: PcSubscriptionIds, value: [subscriptionId] },
    ]);
    return validation.request;
  }

  /** Polls the tenant (the purchase's adaptive poller) until the subscription's directory subscription shows. */
  private awaitVisible(
    { customerId, subscriptionId }: ValidLicenceRequest,
    settings: WorkerSettings,
  ): Promise<LicenceSku> {
    this.setStep('awaiting-licences');
    return proxyActivities<LicenceActivities>(
      poller(settings, licenceVisibilityDeadlineMs(settings)),
    ).awaitLicencesVisible.executeWithOptions(
      { summary: `Wait until subscription ${subscriptionId} shows in the customer's tenant` },
      [{ customerId, subscriptionId }],
    );
  }

  /** One batch after another: a batch that found no seat left tells the next not to try. */
  private async assign(request: ValidLicenceRequest, sku: LicenceSku): Promise<LicenceUserResult[]> {
    this.setStep('assigning');
    const users: LicenceUserResult[] = [];
    let seatsExhausted = false;
    for (const changes of licenceBatches(request)) {
      const from = users.length + 1;
      const done = await batches.assignLicenceBatch.executeWithOptions(
        { summary: `Users ${from}–${from + changes.length - 1} of ${this.status.users}` },
        [{ customerId: request.customerId, skuId: sku.skuId, changes, seatsExhausted }],
      );
      users.push(...done.users);
      seatsExhausted = done.seatsExhausted;
      this.status.done = users.length;
      this.showProgress();
    }
    return users;
  }

  private setStep(step: LicenceStep): void {
    this.status.step = step;
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    this.showProgress();
  }

  /** The status query's time and the UI's details; no event in history (a batch's progress is not a step). */
  private showProgress(): void {
    const { step } = this.status;
    this.status.updatedAt = new Date().toISOString();
    setCurrentDetails(
      detailLines([
        ['Step', step],
        ['Users', this.summary === undefined ? undefined : `${this.summary}, ${this.status.done} done`],
        ['Subscription', this.status.subscriptionId],
        ['Last error', this.status.lastError],
      ]),
    );
    log.info('licence step', { step, subscriptionId: this.status.subscriptionId, done: this.status.done });
  }
}
