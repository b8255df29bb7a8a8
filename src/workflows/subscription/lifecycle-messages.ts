import { ApplicationFailure } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { lifecycleSchemas } from '../common/schemas';
import type { WorkerSettings } from '../common/settings';
import { invalidRequest, validateWith } from '../common/validation';
import { lifecycleFailureTypes } from './failures';
import type { LifecycleProgress } from './lifecycle-progress';
import { leadTimeProblem } from './lifecycle-rules';
import type { LifecycleState, ValidRenewalPolicy } from './lifecycle-types';
import {
  approvePlanUpdate,
  lifecycleStateQuery,
  rejectPlanUpdate,
  setPolicyUpdate,
  subscriptionChangedSignal,
} from './messages';

/**
 * The lifecycle's query, updates and signal. Each update's validator refuses bad arguments — naming the field —
 * before anything reaches history, so a refused update changes nothing. Accepted messages wake the run's wait.
 */
export class LifecycleMessages {
  /** Set by any accepted message; the run clears it before it waits. */
  woken = false;
  /** `subscriptionChanged` sources not yet handled. */
  readonly changedSources: string[] = [];
  /** A policy changed while a plan awaited approval: review again with it. */
  reviewAgain = false;

  constructor(
    private readonly progress: LifecycleProgress,
    private readonly settings: WorkerSettings,
  ) {
    setHandler(lifecycleStateQuery, () => progress.snapshot());
    setHandler(approvePlanUpdate, (args) => this.decide({ status: 'approved', decidedBy: args.by.trim() }), {
      validator: (args) => this.validateDecision(lifecycleSchemas().ApprovePlanArgsSchema, args),
      description: 'Approve the renewal plan awaiting approval: it is scheduled as the next term',
    });
    setHandler(
      rejectPlanUpdate,
      (args) => this.decide({ status: 'rejected', decidedBy: args.by.trim(), rejectionReason: args.reason.trim() }),
      {
        validator: (args) => this.validateDecision(lifecycleSchemas().RejectPlanArgsSchema, args),
        description: 'Reject the renewal plan awaiting approval: the subscription renews as it is',
      },
    );
    setHandler(setPolicyUpdate, (policy) => this.setPolicy(this.validPolicy(policy)), {
      validator: (policy) => void this.validPolicy(policy),
      description: 'Replace the renewal policy (omitted fields take their defaults)',
    });
    setHandler(subscriptionChangedSignal, (args) => {
      this.changedSources.push(typeof args?.source === 'string' ? args.source : 'unknown');
      this.woken = true;
    });
  }

  private decide(changes: { status: 'approved' | 'rejected'; decidedBy: string; rejectionReason?: string }) {
    this.progress.updatePlan(changes);
    if (changes.status === 'rejected') this.progress.setStep('awaiting-renewal');
    this.woken = true;
    return this.progress.snapshot();
  }

  private validateDecision(schema: z.ZodType, args: unknown): void {
    const plan = this.progress.plan;
    if (plan?.status !== 'proposed' && plan?.status !== 'lost') {
      throw ApplicationFailure.create({
        type: lifecycleFailureTypes.noPlanWaiting,
        message: `plan: no plan awaits approval (${plan === undefined ? 'there is none' : `the plan is ${plan.status}`})`,
        details: [[{ field: 'plan', problem: 'no plan awaits approval' }]],
        nonRetryable: true,
      });
    }
    const validation = validateWith(schema, args);
    if (!validation.ok)
      throw invalidRequest(lifecycleFailureTypes.invalidDecision, 'plan decision', validation.problems);
  }

  /** The policy with its defaults, or the refusal naming every bad field (a lead time over the term included). */
  private validPolicy(policy: unknown): ValidRenewalPolicy {
    const validation = lifecycleSchemas().validateRenewalPolicy(policy);
    if (!validation.ok)
      throw invalidRequest(lifecycleFailureTypes.invalidPolicy, 'renewal policy', validation.problems);
    const tooLong = leadTimeProblem(validation.request, this.progress.state.subscription, this.settings);
    if (tooLong !== undefined) throw invalidRequest(lifecycleFailureTypes.invalidPolicy, 'renewal policy', [tooLong]);
    return validation.request;
  }

  private setPolicy(policy: ValidRenewalPolicy): LifecycleState {
    this.progress.setPolicy(policy);
    const status = this.progress.plan?.status;
    if (status === 'proposed' || status === 'lost') this.reviewAgain = true;
    this.woken = true;
    return this.progress.snapshot();
  }
}
