import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyReply } from 'fastify';
import {
  describeInvalid,
  KINDS,
  RunAlreadyFinishedError,
  RunFailure,
  RunUpdateRejectedError,
  runOf,
  viewRun,
  type InvalidField,
  type Kind,
  type Validation,
  type WorkflowType,
} from '../client';
import { InvalidRequestError, ProblemError } from './problems';
import type { ChangeView, LicenceView, LifecycleView, OnboardView, PurchaseView, ReconcileView } from './schemas';

type Views = {
  purchase: PurchaseView;
  change: ChangeView;
  reconcile: ReconcileView;
  lifecycle: LifecycleView;
  onboard: OnboardView;
  licences: LicenceView;
};

/**
 * The run `workflowId` viewed as `pcw status` views it; 404 when there is none of this kind (a reconciliation's
 * route never shows a purchase), 503 when it runs but no worker answers its status query.
 */
export async function viewOf<K extends Kind>(
  client: Client,
  kind: K,
  workflowId: string,
  id: string,
): Promise<Views[K]> {
  const run = runOf(kind, workflowId, client);
  try {
    const description = await run.handle.describe();
    if (KINDS[description.type as WorkflowType] !== kind) throw notFound(kind, id);
    // A run of this kind (checked above) has this kind's status and result: the view's union narrowed.
    return (await viewRun(client, run)) as Views[K];
  } catch (error) {
    throw runProblem(error, kind, id);
  }
}

/**
 * An operator's update that did not happen, as its problem: 400 when the workflow found the arguments invalid (an
 * `Invalid…` refusal), 409 when it refused them otherwise (nothing waits for a decision) or the run has ended, 404
 * when there is no such run.
 */
export function updateProblem(error: unknown, kind: Kind, id: string): unknown {
  if (error instanceof RunUpdateRejectedError)
    return new ProblemError(error.type.startsWith('Invalid') ? 400 : 409, error.type, error.message, {
      details: error.details,
    });
  if (error instanceof RunAlreadyFinishedError)
    return new ProblemError(409, error.type, error.message, { details: error.details });
  return runProblem(error, kind, id);
}

/** A run that could not be found or viewed as its problem: 404 when there is none, 503 when no worker answers. */
export function runProblem(error: unknown, kind: Kind, id: string): unknown {
  if (error instanceof WorkflowNotFoundError) return notFound(kind, id);
  if (error instanceof RunFailure) return new ProblemError(503, error.type, error.message);
  return error;
}

function notFound(kind: Kind, id: string): ProblemError {
  const what = {
    purchase: 'purchase',
    change: 'subscription change',
    reconcile: 'reconciliation',
    lifecycle: 'subscription lifecycle',
    onboard: 'onboarding',
    licences: 'licence assignment',
  }[kind];
  return new ProblemError(404, 'NotFound', `no ${what} with id ${id}`);
}

/**
 * The body of a create route with its requestId from the `Idempotency-Key` header or the body: when both are
 * given they must agree (a caller that sends two keys has a bug worth telling it about).
 */
function withIdempotencyKey(
  body: unknown,
  key: string | undefined,
): { ok: true; body: unknown } | { ok: false; problem: InvalidField } {
  if (key === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: true, body };
  const given = (body as { requestId?: unknown }).requestId;
  if (given !== undefined && given !== key)
    return {
      ok: false,
      problem: {
        field: 'requestId',
        problem: `must equal the Idempotency-Key header when both are given (got ${JSON.stringify(given)}, header "${key}")`,
      },
    };
  return { ok: true, body: { ...body, requestId: key } };
}

export interface CreateRun<R extends { requestId: string }> {
  kind: Kind;
  /** `purchase request`: how the problem names an invalid body. */
  what: string;
  /** The workflow's failure type for an invalid request, e.g. InvalidPurchaseRequest. */
  failureType: string;
  body: unknown;
  idempotencyKey: string | undefined;
  /** The workflow's own validator, so a bad field is named as the workflow would name it. */
  validate: (input: unknown) => Validation<R>;
  /** The client's startOnce-based start (startPurchase, startSubscriptionChange), which says whether it started the run. */
  start: (request: R) => Promise<{ workflowId: string; newlyStarted: boolean }>;
  statusUrl: (requestId: string) => string;
}

/**
 * A create route: validates before anything is started, then starts the run once per requestId. 202 with the
 * status URL when this request started it; 200 with the run as it is when it was already there (never a second run).
 */
export async function createRun<R extends { requestId: string }>(
  client: Client,
  reply: FastifyReply,
  create: CreateRun<R>,
): Promise<FastifyReply> {
  const keyed = withIdempotencyKey(create.body, create.idempotencyKey);
  const validation: Validation<R> = keyed.ok ? create.validate(keyed.body) : { ok: false, problems: [keyed.problem] };
  if (!validation.ok)
    throw new InvalidRequestError(
      create.failureType,
      describeInvalid(create.what, validation.problems),
      validation.problems,
    );
  const { requestId } = validation.request;
  const handle = await create.start(validation.request);
  return answerStart(client, reply, create.kind, handle, { requestId, statusUrl: create.statusUrl(requestId) });
}

/**
 * The answer to a create route's start, with its status URL in `Location`: 202 when this request started the run,
 * 200 with the run as it is when its key had started it before (never a second run).
 */
export async function answerStart(
  client: Client,
  reply: FastifyReply,
  kind: Kind,
  handle: { workflowId: string; newlyStarted: boolean },
  answer: { requestId?: string; statusUrl: string },
): Promise<FastifyReply> {
  const { workflowId } = handle;
  const { requestId, statusUrl } = answer;
  void reply.header('location', statusUrl);
  if (!handle.newlyStarted)
    return reply.code(200).send(await viewOf(client, kind, workflowId, requestId ?? workflowId));
  return reply.code(202).send({ ...(requestId !== undefined ? { requestId } : {}), workflowId, statusUrl });
}
