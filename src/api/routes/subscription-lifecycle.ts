import {
  approveRenewalPlan,
  ApprovePlanArgsSchema,
  lifecycleWorkflowId,
  LifecycleStateSchema,
  rejectRenewalPlan,
  RejectPlanArgsSchema,
  RenewalPolicySchema,
  setRenewalPolicy,
  type LifecycleState,
} from '../../client';
import type { ApiApp, RouteModule } from '../app';
import { updateProblem, viewOf } from '../runs';
import { LifecycleViewSchema, problems, SubscriptionIdParamsSchema } from '../schemas';

const tags = ['subscription lifecycles'];

/**
 * `GET /v1/subscriptions/{subscriptionId}/lifecycle` and its `approve-plan`, `reject-plan` and `policy` updates:
 * subscriptionLifecycle over HTTP (contract §3b).
 */
export const subscriptionLifecycleRoutes: RouteModule = (app, { client }) => {
  app.get(
    '/v1/subscriptions/:subscriptionId/lifecycle',
    {
      config: { role: 'read' },
      schema: {
        operationId: 'getSubscriptionLifecycle',
        summary: "A subscription's lifecycle: its state (policy, next review, plan, usage, last reviews)",
        tags,
        params: SubscriptionIdParamsSchema,
        response: { 200: LifecycleViewSchema, ...problems(400, 403, 404, 503) },
      },
    },
    async (request) => {
      const { subscriptionId } = request.params;
      return viewOf(client, 'lifecycle', lifecycleWorkflowId(subscriptionId), subscriptionId);
    },
  );
  decisionRoute(app, 'approve-plan', {
    operationId: 'approveRenewalPlan',
    summary: 'Approve the renewal plan awaiting approval: it is scheduled as the next term’s quantity',
    body: ApprovePlanArgsSchema,
    send: (id, body) => approveRenewalPlan(client, id, body),
  });
  decisionRoute(app, 'reject-plan', {
    operationId: 'rejectRenewalPlan',
    summary: 'Reject the renewal plan awaiting approval: the subscription renews with its seats as they are',
    body: RejectPlanArgsSchema,
    send: (id, body) => rejectRenewalPlan(client, id, body),
  });
  decisionRoute(app, 'policy', {
    operationId: 'setRenewalPolicy',
    summary: 'Replace the renewal policy (review off, propose or apply; lead time; minimum seats; headroom)',
    body: RenewalPolicySchema,
    send: (id, body) => setRenewalPolicy(client, id, body),
  });
};

/** One operator update of a running lifecycle, answered with the state after it. */
function decisionRoute<
  B extends typeof ApprovePlanArgsSchema | typeof RejectPlanArgsSchema | typeof RenewalPolicySchema,
>(
  app: ApiApp,
  path: string,
  route: {
    operationId: string;
    summary: string;
    body: B;
    send: (subscriptionId: string, body: B['_output']) => Promise<LifecycleState>;
  },
): void {
  app.post(
    `/v1/subscriptions/:subscriptionId/lifecycle/${path}`,
    {
      config: { role: 'operate' },
      schema: {
        operationId: route.operationId,
        summary: route.summary,
        tags,
        params: SubscriptionIdParamsSchema,
        body: route.body,
        response: { 200: LifecycleStateSchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const { subscriptionId } = request.params;
      try {
        return await route.send(subscriptionId, request.body as B['_output']);
      } catch (error) {
        throw updateProblem(error, 'lifecycle', subscriptionId);
      }
    },
  );
}
