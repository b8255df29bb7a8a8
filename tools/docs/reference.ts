import { onboardingSection } from './onboarding-section';
import { onboardWorkflowId } from '../../src/workflows/customer/api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TypedSearchAttributes } from '@temporalio/common';
import { z } from 'zod';
import { USAGE } from '../../src/cli/usage';
import {
  ApproveArgsSchema,
  approvePurchaseUpdate,
  CancelAcknowledgementSchema,
  CancelArgsSchema,
  cancelPurchaseUpdate,
  subscriptionFailureTypes,
  ChangeStatusSchema,
  subscriptionChangeStatusQuery,
  subscriptionChangeWorkflowId,
  DEFAULT_TASK_QUEUE,
  purchaseFailureTypes,
  PurchaseRequestSchema,
  PurchaseResultSchema,
  PurchaseStatusSchema,
  purchaseStatusQuery,
  purchaseWorkflowId,
  billingFailureTypes,
  ReconcileReportSchema,
  ReconcileRequestSchema,
  RejectArgsSchema,
  rejectPurchaseUpdate,
  SubscriptionChangeRequestSchema,
  SubscriptionChangeResultSchema,
  type SubscriptionFailureType,
  type PurchaseFailureType,
  type BillingFailureType,
  eventFailureTypes,
  eventOutcomes,
  PartnerCenterEventResultSchema,
  PartnerCenterEventSchema,
  type EventFailureType,
  AuditBackfillInputSchema,
  AuditBackfillResultSchema,
  AUDIT_BACKFILL_SCHEDULE_ID,
  licenceFailureTypes,
  LicenceRequestSchema,
  LicenceResultSchema,
  LicenceStatusSchema,
  licenceStatusQuery,
  licenceWorkflowId,
  type LicenceFailureType,
} from '../../src/client';
import {
  DEFAULT_AUTHORITY_HOST,
  DEFAULT_GRAPH_BASE_URL,
  DEFAULT_PARTNER_CENTER_BASE_URL,
  DEFAULT_PRICING_BASE_URL,
} from '../../src/config';
import { runAsMain } from '../../src/command-line';
import {
  auditBackfill,
  changeSubscription,
  deliverWebhookEvent,
  partnerCenterEvent,
  purchaseSubscription,
  reconcileBilling,
  subscriptionLifecycle,
  assignLicences,
} from '../../src/workflows';
import {
  ApprovePlanArgsSchema,
  approvePlanUpdate,
  lifecycleFailureTypes,
  LifecycleInputSchema,
  LifecycleStateSchema,
  lifecycleStateQuery,
  lifecycleWorkflowId,
  RejectPlanArgsSchema,
  rejectPlanUpdate,
  RenewalPolicySchema,
  setPolicyUpdate,
  subscriptionChangedSignal,
  SubscriptionChangedArgsSchema,
  type LifecycleFailureType,
} from '../../src/workflows/subscription/api';
import { terminalSteps } from '../../src/workflows/purchase/api';
import { searchAttributeKeys } from '../../src/workflows/common/search-attributes';
import { REPOSITORY_ROOT } from '../repository-root';

/**
 * `npm run docs`: writes docs/reference.md, the public reference of the project. The input and result formats are
 * JSON Schema generated from the zod schemas the workflows validate with, so the page cannot drift from the code;
 * test/unit/docs/reference.test.ts fails when the committed page is not what `renderReference()` returns.
 */

export const REFERENCE_PATH = join(REPOSITORY_ROOT, 'docs', 'reference.md');

/** Parts that appear more than once are written once under `$defs`, by these names. */
const sharedParts = z.registry<{ id: string }>();
sharedParts.add(SubscriptionChangeResultSchema.shape.before, { id: 'SubscriptionView' });
sharedParts.add(ReconcileReportSchema.shape.unexpectedCharges.element, { id: 'ReconcileFinding' });

/**
 * The JSON Schema of what a caller sends (`input`: before defaults and transforms) or receives (`output`), as a
 * fenced block. Whole numbers lose zod's implicit ±2^53 bounds, which say nothing to a reader.
 */
function jsonSchemaBlock(schema: z.ZodType, io: 'input' | 'output'): string {
  const jsonSchema = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    metadata: sharedParts,
    override: ({ jsonSchema: node }) => {
      if (node.type !== 'integer') return;
      if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
      if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
    },
  });
  return ['```json', JSON.stringify(jsonSchema, null, 2), '```'].join('\n');
}

const code = (text: string) => `\`${text}\``;

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The npm scripts of the project (the unit test checks that package.json defines each one). */
export const documentedScripts: ReadonlyArray<{ script: string; command: string; what: string }> = [
  {
    script: 'start',
    command: 'npm install && npm start',
    what: 'The whole stack on embedded defaults: a local Temporal dev server (UI on http://127.0.0.1:8233) unless `TEMPORAL_ADDRESS` is set, the Partner Center sandbox unless Partner Center settings are given, and the worker; prints where everything is. Ctrl-C stops all of it. `npm start -- --demo` also submits sample purchases.',
  },
  {
    script: 'test',
    command: 'npm install && npm test',
    what: 'Type-check, lint, build, then every Jest test against a real Temporal dev server and the real sandbox.',
  },
  {
    script: 'worker',
    command: 'npm run worker',
    what: 'The worker alone, for production: needs a reachable Temporal and Partner Center settings. Runs what `npm run build` made (never compiles at start; exit 1 naming what to run when nothing is built). Exit 2 with every configuration problem listed, 1 when Temporal is unreachable.',
  },
  {
    script: 'api',
    command: 'npm run api',
    what: 'The HTTP API alone, for production ([HTTP API](http-api.md)): needs `PCW_API_PORT`, `PCW_API_TOKENS` and a reachable Temporal. Runs what `npm run build` made, like the worker. Exit 2 with every configuration problem listed, 1 when Temporal is unreachable.',
  },
  {
    script: 'sandbox',
    command: 'npm run sandbox',
    what: 'The Partner Center sandbox alone (`--port`, `--seed`, `--order-delay`, `--json` …; see [the sandbox](../packages/partner-center-sandbox/README.md)).',
  },
  {
    script: 'bench',
    command: 'npm run bench',
    what: 'The benchmarks on the real parts; prints each scenario as it starts and ends, then a table (`-- --json FILE` writes the figures).',
  },
  {
    script: 'docs',
    command: 'npm run docs',
    what: 'Rewrites this page from the code (`-- --check` exits 1 when the committed page is out of date). Run `npm run build` first.',
  },
  {
    script: 'test:unit',
    command: 'npm run test:unit',
    what: 'The unit tests alone (`PCW_NO_TEMPORAL=1` skips starting the dev server).',
  },
];

/** Every variable the code reads (the unit test checks each name appears in src/). */
export const documentedVariables: ReadonlyArray<{ names: string[]; fallback: string; meaning: string }> = [
  {
    names: ['TEMPORAL_ADDRESS'],
    fallback: '`localhost:7233`',
    meaning:
      'Temporal frontend `host:port`. `npm start` starts its own dev server on 127.0.0.1:7233 when neither this nor `TEMPORAL_PROFILE` is set.',
  },
  { names: ['TEMPORAL_NAMESPACE'], fallback: '`default`', meaning: 'Temporal namespace.' },
  { names: ['TEMPORAL_API_KEY'], fallback: '—', meaning: 'Temporal Cloud API key (a secret: never echoed).' },
  {
    names: [
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
    ],
    fallback: 'off',
    meaning: 'mTLS to a self-hosted cluster or Temporal Cloud (`…_DATA` variants take the PEM text instead of a path).',
  },
  {
    names: ['TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE'],
    fallback: '`default` profile',
    meaning:
      'A profile of the Temporal CLI configuration file; the variables above override it. Read with `@temporalio/envconfig`.',
  },
  {
    names: ['TEMPORAL_TASK_QUEUE'],
    fallback: code(DEFAULT_TASK_QUEUE),
    meaning: 'Task queue of every workflow and activity.',
  },
  {
    names: ['PARTNER_CENTER_BASE_URL'],
    fallback: code(DEFAULT_PARTNER_CENTER_BASE_URL),
    meaning: 'Partner Center API root, without `/v1` (the client adds it); plain `http` only for loopback hosts.',
  },
  {
    names: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'],
    fallback: '—',
    meaning: 'Partner tenant (GUID or domain) and the application (client) id of the app registration.',
  },
  {
    names: ['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH'],
    fallback: '—',
    meaning:
      'The app credential: exactly one of a client secret or a PEM file with the certificate and its private key.',
  },
  {
    names: ['PARTNER_CENTER_REFRESH_TOKEN'],
    fallback: '—',
    meaning: 'App+User tokens through the secure application model for every call; without it, App-only.',
  },
  {
    names: ['AZURE_AUTHORITY_HOST'],
    fallback: code(DEFAULT_AUTHORITY_HOST),
    meaning: 'Token authority; any other https host (a sovereign cloud, the sandbox) is trusted as a known authority.',
  },
  {
    names: ['MICROSOFT_GRAPH_BASE_URL'],
    fallback: code(DEFAULT_GRAPH_BASE_URL),
    meaning:
      "Microsoft Graph host for partner billing exports (billed and unbilled reconciliation) and customers' tenants (licences, with tokens from each tenant's authority); the sandbox serves one.",
  },
  {
    names: ['PARTNER_PRICING_BASE_URL'],
    fallback: code(DEFAULT_PRICING_BASE_URL),
    meaning:
      'Host of the license-based price sheets (quotes, the price guard, `pcw offers eos`): its own token audience, `https://api.partner.microsoft.com/.default`, App+User only; plain `http` only for loopback hosts; the sandbox serves one.',
  },
  {
    names: ['NODE_EXTRA_CA_CERTS'],
    fallback: '—',
    meaning: "Node's way to trust a private CA (the sandbox's authority certificate).",
  },
  {
    names: ['PARTNER_CENTER_REQUESTS_PER_MINUTE'],
    fallback: '`400`',
    meaning: "Global Partner Center budget of all workers: the task queue's activity rate limit (1–100000).",
  },
  {
    names: ['ORDER_POLL_INTERVAL'],
    fallback: '`15s`',
    meaning:
      'The first wait between two reads of an order or subscription while it is awaited; it grows up to `ORDER_POLL_MAX_INTERVAL` (durations: `500ms`, `15s`, `30m`, `1h`, `7d`).',
  },
  {
    names: ['ORDER_POLL_MAX_INTERVAL'],
    fallback: '`210s` (`ORDER_POLL_INTERVAL` if longer)',
    meaning:
      'The poll interval grows ×4 after each "not yet" answer, from `ORDER_POLL_INTERVAL` up to this; at least `ORDER_POLL_INTERVAL`. It bounds how late an order is seen after it shows up. With the defaults: reads at 0, 15 s, 75 s, 285 s, then every 3.5 minutes (an order seen at most 3.5 minutes late) — 7 for a 15-minute wait, 37 for 2 hours.',
  },
  {
    names: ['ORDER_VISIBILITY_DEADLINE'],
    fallback: '`30m`',
    meaning: 'How long a purchase waits for its order before failing with `OrderNotVisible`.',
  },
  {
    names: ['APPROVAL_TIMEOUT'],
    fallback: '`7d`',
    meaning: 'How long a purchase with `requireApproval` waits for `approve`/`reject` before failing with `Rejected`.',
  },
  {
    names: ['SUBSCRIPTION_CHANGE_DEADLINE'],
    fallback: '`30m`',
    meaning:
      'How long a subscription change waits for a busy subscription (409/800082) or an accepted (202) change before failing `SubscriptionBusy`.',
  },
  {
    names: ['RENEWAL_REVIEW_LEAD'],
    fallback: '`14d`',
    meaning:
      "How long before a subscription's term ends its lifecycle reviews the renewal, unless the subscription's `RenewalPolicy.leadTime` says otherwise.",
  },
  {
    names: ['RELATIONSHIP_ACCEPT_TIMEOUT', 'GDAP_APPROVAL_TIMEOUT'],
    fallback: '`30d`, `30d`',
    meaning:
      "How long an onboarding waits for an existing tenant to accept the reseller relationship, and for the customer to approve its GDAP relationship (and for a qualification's review).",
  },
  {
    names: ['LICENCE_VISIBILITY_DEADLINE'],
    fallback: '`2h`',
    meaning:
      "How long a licence assignment waits for the bought licences to show in the customer's tenant before failing `LicencesNotVisible`.",
  },
  { names: ['METRICS_PORT'], fallback: 'off', meaning: 'Serves Prometheus `/metrics` of the worker on this port.' },
  {
    names: ['OTEL_SERVICE_NAME', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED'],
    fallback: 'off',
    meaning:
      'OpenTelemetry traces ([deploy](deploy.md#6-traces-and-the-dashboard)): any `OTEL_*` variable turns them on, and the SDK reads every standard one (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_SAMPLER` …); `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` keeps them off.',
  },
  {
    names: ['PCW_API_PORT'],
    fallback: '`8090` under `npm start`; required by `npm run api`',
    meaning:
      'Port of the [HTTP API](http-api.md) (`npm start` listens on 127.0.0.1, `npm run api` on every interface).',
  },
  {
    names: ['PCW_API_TOKENS'],
    fallback: '`npm start`: one `local:operate` token made per run and printed',
    meaning:
      'HTTP API bearer tokens, comma-separated `name:role:token` (roles `read`, `submit`, `operate`; each may do what the ones before it may; tokens 16..512 printable characters). A secret: never echoed or logged.',
  },
  {
    names: ['PCW_WEBHOOK_URL'],
    fallback: 'off',
    meaning:
      'Receives every [webhook event](webhooks.md), signed as Standard Webhooks defines (https; plain http only for a loopback host).',
  },
  {
    names: ['PCW_WEBHOOK_SECRET'],
    fallback: '— (required with `PCW_WEBHOOK_URL` or `PCW_WEBHOOK_ALLOWED_ORIGINS`)',
    meaning: 'Signing secret: `whsec_` + base64 of 24..64 bytes. A secret: never echoed, logged or put in a history.',
  },
  {
    names: ['PCW_WEBHOOK_DEADLINE'],
    fallback: '`24h`',
    meaning:
      'How long the delivery of one event is retried (with backoff) before its delivery workflow gives it up; the run that emitted it does not wait.',
  },
  {
    names: ['PCW_WEBHOOK_ALLOWED_ORIGINS'],
    fallback: 'none',
    meaning:
      'Comma-separated origins (`https://hooks.example.com`) a per-request `callbackUrl` may use; any other is refused before the start.',
  },
  {
    names: ['PARTNER_CENTER_WEBHOOK_CERT_HOSTS'],
    fallback: 'none (every event refused)',
    meaning:
      'Comma-separated host names (`certs.example.com`) the `X-MS-Certificate-Url` of a Partner Center event may name on `POST /v1/partner-center/events`; checked before the certificate is fetched (https only). The certificate must chain to Node’s trusted roots or `NODE_EXTRA_CA_CERTS`.',
  },
  {
    names: ['PAYLOAD_ENCRYPTION_KEYS'],
    fallback: 'off',
    meaning:
      '[Payload encryption](security.md): comma-separated `keyId:base64key` (256-bit keys); the first encrypts, all decrypt. A secret.',
  },
  {
    names: ['PCW_DEPLOYMENT_NAME', 'PCW_BUILD_ID'],
    fallback: 'off (unversioned)',
    meaning:
      'Worker Deployment Versioning: set both (or neither) and the worker joins that version of that deployment. Purchases, changes, onboarding, licence assignments, reconciliations, events, backfills and quotes stay on the version they started on; subscription lifecycles move to the current version. The rollout is in [operations](operations.md#rolling-out-a-new-version).',
  },
  {
    names: ['LOG_LEVEL'],
    fallback: '`info`',
    meaning: 'JSON logs on stdout: `trace`, `debug`, `info`, `warn` or `error`.',
  },
  {
    names: ['PCW_DATA_DIR'],
    fallback: '`.data`',
    meaning:
      "`npm start`: where the dev server's SQLite file, the sandbox state and, while it runs, `start-settings.json` (its settings for `pcw` and `npm run api` in another terminal, owner-only) are kept; `pcw` and `npm run api` look for that file there.",
  },
  {
    names: ['TEMPORAL_CLI_PATH'],
    fallback: '—',
    meaning: 'The `temporal` binary for the dev server; else `temporal` on `PATH`, else the cached build.',
  },
  {
    names: ['XDG_CACHE_HOME'],
    fallback: '`~/.cache`',
    meaning: 'Where the `temporal` binary is built and cached (`partner-center-worker/temporal-v1.5.1`).',
  },
  {
    names: ['XDG_STATE_HOME'],
    fallback: '`~/.local/state`',
    meaning:
      "`pcw pc-webhooks`: where `test` remembers the last validation event's correlation id (`pcw/pc-webhooks.json`, per Partner Center host and tenant) for `status` to show its results.",
  },
];

// Typed by failure type: a new type fails the build until it is described here.
const purchaseFailureMeanings: Record<PurchaseFailureType, string> = {
  InvalidPurchaseRequest:
    "The request broke a rule of PurchaseRequest, or a quantity is outside its SKU's limits; the message and `details[0]` (`[{ field, problem }]`) name every bad field. Nothing was bought.",
  CatalogItemNotFound:
    'No product, SKU or availability matches an item (for its country, segment, term and billing cycle).',
  OfferNotPurchasable:
    'The offer exists but cannot be bought: not purchasable, not sold with that term and billing cycle, or refused by Partner Center.',
  CurrencyMismatch:
    "The availability is priced in another currency than `currency` (or, with a price guard, the market's price sheet is).",
  PriceAboveLimit:
    "The price guard refused: an item's unit price in the market's price sheet is above its `maxUnitPrice`, or the total per billing period above `maxTotal`; the message names both figures, `details` is `[{ item, price, limit, currency }]` (`item` is `total` for `maxTotal`). Nothing was bought; no cart was created.",
  PriceNotFound:
    "The market's price sheet has no row for a resolved item (its term, billing plan, segment or quantity tier): a quote or a guarded purchase cannot price it.",
  AgreementRequired:
    'The customer has not accepted the Microsoft Customer Agreement and the request carries no `agreement` to confirm it with, or confirming it needs App+User tokens (the message says which). Nothing was bought.',
  AttestationRequired:
    "The offer enforces an attestation (its SKU's `attestationProperties.enforceAttestation`, or cart line error 10012) and the item lacks `attestationAccepted: true`; the message names the item and the attestation text.",
  PromotionNotEligible:
    "An item's `promotionId` is not eligible for this customer; the message and details give every reason (SeatCount with min/max/available seats, RedemptionLimit, …). `onIneligiblePromotion: 'buyWithout'` buys without it instead.",
  CartRejected: 'Partner Center refused every line of the cart; details carry its codes.',
  CheckoutRejected: 'Partner Center refused the checkout; nothing was bought.',
  OrderNotVisible: 'The order did not appear within `ORDER_VISIBILITY_DEADLINE`.',
  ProvisioningFailed: 'The order completed but a subscription did not become active.',
  Unauthorized:
    'The credential was refused (401), e.g. a token for the retired audience (900420): the message names the expected audience `https://api.partnercenter.microsoft.com`.',
  MfaRequired:
    'An App+User token without the MFA claim was refused (401/900421). Not retried: re-consent with Microsoft Entra MFA through the secure application model and set the new refresh token in `PARTNER_CENTER_REFRESH_TOKEN`.',
  Rejected: 'The `reject` update refused the purchase, or no decision came within `APPROVAL_TIMEOUT`.',
};
const changeFailureMeanings: Record<SubscriptionFailureType, string> = {
  InvalidChangeRequest:
    "The request broke a rule of SubscriptionChangeRequest (every bad field named), or a term change lacks the new term's `catalogItemId`.",
  OutsideCancellationWindow:
    'A seat reduction or cancellation after the refundable (168-hour) window; nothing was sent.',
  SubscriptionBusy:
    'Partner Center kept answering 409/800082, or an accepted (202) change did not land in time. Retryable.',
  ChangeRejected:
    "The subscription's state (not active, auto-renew off for a next-term change, a trial's seats, a reactivation after the term ended) or Partner Center refused it; the message names the rule and the date that decides it, details carry the code.",
  TransitionNotEligible:
    'The subscription cannot move to the requested offer or subscription (its transition eligibilities said no); details list every reason with its source or target code. Nothing was posted.',
  Unauthorized:
    'The credential was refused (401), e.g. a token for the retired audience (900420): the message names the expected audience `https://api.partnercenter.microsoft.com`.',
  MfaRequired:
    'An App+User token without the MFA claim was refused (401/900421). Not retried: re-consent with Microsoft Entra MFA through the secure application model and set the new refresh token in `PARTNER_CENTER_REFRESH_TOKEN`.',
};
const lifecycleFailureMeanings: Record<LifecycleFailureType, string> = {
  InvalidLifecycleInput:
    'The input broke a rule of LifecycleInput (every bad field named); the run ends before any read.',
  InvalidRenewalPolicy:
    '`setPolicy` refused (an update failure, the run goes on unchanged): an unknown field, a negative `minSeats` or `headroom`, a lead time that is not a duration or is longer than the term; every field named.',
  InvalidPlanDecision: "`approvePlan` or `rejectPlan` refused: `by` (or `reject`'s `reason`) missing or empty.",
  NoPlanWaiting:
    '`approvePlan` or `rejectPlan` refused: no plan awaits approval (none, or already applied or rejected).',
  LicenceUsageUnavailable:
    "Between the licence read and the run only: the customer's tenant could not be read (403 without a GDAP role, unreachable, no reader configured). The review retries with backoff and its state says `usage unavailable: …`.",
};
const reconcileFailureMeanings: Record<BillingFailureType, string> = {
  InvalidReconcileRequest: 'The request broke a rule of ReconcileRequest; every bad field named. Nothing was read.',
  ReconciliationFailed:
    'Partner Center refused a read the reconciliation needs (details carry its status and code), its lines carry no subscription id or no quantity under any casing (the message names the keys found), or it did not finish in time.',
  Unauthorized:
    'The credential was refused (401), e.g. a token for the retired audience (900420): the message names the expected audience `https://api.partnercenter.microsoft.com`.',
  MfaRequired:
    'An App+User token without the MFA claim was refused (401/900421). Not retried: re-consent with Microsoft Entra MFA through the secure application model and set the new refresh token in `PARTNER_CENTER_REFRESH_TOKEN`.',
};

function failureTable(types: Record<string, string>, meanings: Record<string, string>): string {
  return table(
    ['type', 'meaning'],
    Object.values(types).map((type) => [code(type), meanings[type]]),
  );
}

/** `a` → `b` → `done` | `failed`: the steps in order, the terminal ones as alternatives. */
function steps(values: readonly string[]): string {
  const terminal = new Set<string>(terminalSteps);
  const running = values.filter((step) => !terminal.has(step)).map(code);
  const ends = values.filter((step) => terminal.has(step)).map(code);
  return `${running.join(' → ')} → ${ends.join(' | ')}`;
}

/** `Keyword`, `KeywordList`: the spelling of the Temporal CLI and UI. */
const cliType = (key: (typeof searchAttributeKeys)[number]) => TypedSearchAttributes.toMetadataType(key.type);

const attributeUse: Record<string, string> = {
  PcCustomerId: 'every workflow with a customer',
  PcStep: 'every workflow: its current step',
  PcOrderIds: 'purchases: the orders of the cart',
  PcSubscriptionIds: 'purchases: the subscriptions bought; changes: the subscription changed; lifecycles: theirs',
  PcRenewalDate: "lifecycles: when the subscription's term ends",
  PcUnusedSeats: 'lifecycles: seats of the licence SKU nobody is assigned, at the last review',
  PcGdapRelationshipId:
    'onboardings: their GDAP relationship (how `granular-admin-relationship-approved` finds the run)',
};

/** Keys are plain strings, so a new search attribute is caught here rather than by the compiler. */
function useOf(name: string): string {
  const use = attributeUse[name];
  if (use === undefined)
    throw new Error(`tools/docs/reference.ts: say in attributeUse what sets the search attribute ${name}`);
  return use;
}

/** The whole page: pure, so the test can compare it with the committed file. */
export function renderReference(): string {
  const sections = [
    `# Reference

<!-- Generated by \`npm run docs\` (tools/docs/reference.ts). Edit that file, then run \`npm run build && npm run docs\`. -->

The public names of partner-center-worker: commands, environment variables, workflows with their inputs,
results, queries and updates, failure types and search attributes. The input and result formats below are
JSON Schema (draft 2020-12) generated from the zod schemas that the workflows and \`src/client\` validate with.
Example requests: [examples/](../examples/README.md).

- [Commands](#commands)
- [Environment variables](#environment-variables)
- [Workflows](#workflows)
- [purchaseSubscription](#purchasesubscription)
- [changeSubscription](#changesubscription)
- [reconcileBilling](#reconcilebilling)
- [subscriptionLifecycle](#subscriptionlifecycle)
- [partnerCenterEvent](#partnercenterevent)
- [assignLicences](#assignlicences)
- [Search attributes](#search-attributes)`,

    `## Commands

${table(
  ['command', 'what it does'],
  documentedScripts.map((s) => [code(s.command), s.what]),
)}

### \`npx pcw\`

The operator and upstream CLI (\`npx pcw --help\`). Exit status 0 on success, 1 on a failure, 2 on a usage error.

\`\`\`text
${USAGE}
\`\`\``,

    `## Environment variables

Read and validated at start; every problem is listed in one message, and secret values are never echoed.

${table(
  ['variable', 'default', 'meaning'],
  documentedVariables.map((v) => [v.names.map(code).join(', '), v.fallback, v.meaning]),
)}`,

    `## Workflows

Task queue ${code(DEFAULT_TASK_QUEUE)} (\`TEMPORAL_TASK_QUEUE\`). From TypeScript, \`startPurchase\`, \`startSubscriptionChange\`,
\`startBillingReconciliation\` and \`scheduleBillingReconciliation\` of \`src/client\` start them; a second start with the same request id
attaches to the first run instead of doing the work twice. Every failure is an \`ApplicationFailure\` whose \`type\` is
listed under each workflow; they are non-retryable unless said otherwise.

${table(
  ['workflow type', 'workflow id', 'input → result'],
  [
    [code(purchaseSubscription.name), code(purchaseWorkflowId('{requestId}')), '`PurchaseRequest` → `PurchaseResult`'],
    [
      code(changeSubscription.name),
      code(subscriptionChangeWorkflowId('{requestId}')),
      '`SubscriptionChangeRequest` → `SubscriptionChangeResult`',
    ],
    [
      code(reconcileBilling.name),
      '`reconcile-{requestId}` with an idempotency key, else `reconcile-{currency}-{period}-{customerId or all}-{start time}`',
      '`ReconcileRequest` → `ReconcileReport`',
    ],
    [
      code(subscriptionLifecycle.name),
      code(lifecycleWorkflowId('{subscriptionId}')),
      '`LifecycleInput` → `LifecycleState` (once the subscription is cancelled, expired or deleted)',
    ],
    [
      code(partnerCenterEvent.name),
      '`pc-event-{sha256 of EventName, ResourceUri and ResourceChangeUtcDate}`',
      '`PartnerCenterEvent` → `PartnerCenterEventResult`; started by `POST /v1/partner-center/events` once the signature is verified',
    ],
    [code('onboardCustomer'), code(onboardWorkflowId('{requestId}')), '`OnboardRequest` → `OnboardResult`'],
    [
      code(auditBackfill.name),
      `\`${AUDIT_BACKFILL_SCHEDULE_ID}-{scheduled time}\` (run by the Schedule \`${AUDIT_BACKFILL_SCHEDULE_ID}\`)`,
      '`AuditBackfillInput` → `AuditBackfillResult`; every 15 minutes, the Schedule the worker creates at start',
      code(assignLicences.name),
      code(licenceWorkflowId('{requestId}')),
      '`LicenceRequest` → `LicenceResult`; also a child of a purchase whose item has `assignTo` (`licences-{requestId}-{item}`)',
    ],
    [
      code(deliverWebhookEvent.name),
      '`webhook-{workflowId}/{event type}`',
      'the event, its destinations and deadline → `{ url?, callback? }` outcomes; started by the run that emits a [webhook event](webhooks.md), never by a caller',
    ],
  ],
)}`,

    `## purchaseSubscription

Buys the items in one cart: validate → resolve each offer in the catalog → optional approval → cart → checkout
exactly once → wait for the order → wait for active subscriptions.

Steps (\`awaiting-approval\` only with \`requireApproval\`): ${steps(PurchaseStatusSchema.shape.step.options)}.

### PurchaseRequest (input)

Rules the JSON Schema cannot show, checked by the same validation: an \`offer\` is either \`catalogItemId\`
(\`PRODUCT:SKU:AVAILABILITY\`) or \`productId\` + \`skuId\`; an item's \`billingCycle\` may not be longer than its
\`termDuration\`. \`country\` (default \`US\`) and \`currency\` are upper-cased.

${jsonSchemaBlock(PurchaseRequestSchema, 'input')}

### PurchaseResult (result)

${jsonSchemaBlock(PurchaseResultSchema, 'output')}

### Query \`${purchaseStatusQuery.name}\` → PurchaseStatus

${jsonSchemaBlock(PurchaseStatusSchema, 'output')}

### Updates

${table(
  ['update', 'argument', 'returns', 'accepted'],
  [
    [code(approvePurchaseUpdate.name), '`ApproveArgs`', '`PurchaseStatus`', 'only in `awaiting-approval`'],
    [code(rejectPurchaseUpdate.name), '`RejectArgs`', '`PurchaseStatus`', 'only in `awaiting-approval`'],
    [
      code(cancelPurchaseUpdate.name),
      '`CancelArgs`',
      '`CancelAcknowledgement`',
      'until the purchase ends; after checkout it cancels what it bought while the 168-hour window allows',
    ],
  ],
)}

ApproveArgs:

${jsonSchemaBlock(ApproveArgsSchema, 'input')}

RejectArgs:

${jsonSchemaBlock(RejectArgsSchema, 'input')}

CancelArgs:

${jsonSchemaBlock(CancelArgsSchema, 'input')}

CancelAcknowledgement:

${jsonSchemaBlock(CancelAcknowledgementSchema, 'output')}

### Failure types

${failureTable(purchaseFailureTypes, purchaseFailureMeanings)}`,

    `## changeSubscription

Reads the subscription, enforces the new-commerce rules before calling (seat reductions and cancellation only
inside the refundable window, next-term changes need auto-renew), sends the full body with its etag and follows a
\`202\` to completion. A change the subscription already shows is not sent again (\`completion: "already-in-effect"\`).

Steps: ${steps(ChangeStatusSchema.shape.step.options)}.

### SubscriptionChangeRequest (input)

Rule the JSON Schema cannot show: \`scheduleNextTerm\` names at least one of \`termDuration\`, \`billingCycle\`,
\`quantity\`, \`catalogItemId\`.

${jsonSchemaBlock(SubscriptionChangeRequestSchema, 'input')}

### SubscriptionChangeResult (result)

${jsonSchemaBlock(SubscriptionChangeResultSchema, 'output')}

### Query \`${subscriptionChangeStatusQuery.name}\` → SubscriptionChangeStatus

${jsonSchemaBlock(ChangeStatusSchema, 'output')}

### Failure types

${failureTable(subscriptionFailureTypes, changeFailureMeanings)}`,

    `## reconcileBilling

Reads the period's unbilled new-commerce reconciliation line items and matches them to the orders and
subscriptions of one customer, or of every customer of the partner. Purchases and seat changes younger than
\`billingDelayHours\` (default 24) are unverified, not missing. \`pcw reconcile --schedule CRON\` (or
\`scheduleBillingReconciliation\`) runs it on a Temporal Schedule with id \`reconcile-{currency}-{period}-{customerId or all}\`.

Steps (\`PcStep\`): \`reconciling\` → \`completed\` | \`failed\` | \`cancelled\`.

### ReconcileRequest (input)

\`currency\` is upper-cased and \`customerId\` lower-cased.

${jsonSchemaBlock(ReconcileRequestSchema, 'input')}

### ReconcileReport (result)

${jsonSchemaBlock(ReconcileReportSchema, 'output')}

### Failure types

${failureTable(billingFailureTypes, reconcileFailureMeanings)}`,

    lifecycleSection(),

    onboardingSection({ jsonSchemaBlock, table, code }),

    partnerCenterEventSection(),

    licenceSection(),

    `## Search attributes

Registered by \`npm start\` and by the test run's dev server; on a real cluster, register them once:

\`\`\`sh
${searchAttributeKeys.map((key) => `temporal operator search-attribute create --name ${key.name} --type ${cliType(key)}`).join('\n')}
\`\`\`

${table(
  ['name', 'type', 'set by'],
  searchAttributeKeys.map((key) => [code(key.name), cliType(key), useOf(key.name)]),
)}

For example \`PcStep = 'awaiting-approval'\` lists the purchases waiting for a decision, and
\`PcRenewalDate < '2027-04-01T00:00:00Z' AND PcUnusedSeats > 0\` the renewals before April with seats nobody uses.`,
  ];
  return `${sections.join('\n\n')}\n`;
}

/** Writes docs/reference.md, or with `--check` exits 1 when the committed file differs from the code. */
export function main(argv: string[]): number {
  let check: boolean | undefined;
  try {
    ({ check } = parseArgs({ args: argv, options: { check: { type: 'boolean' } } }).values);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nUsage: npm run docs [-- --check]\n`);
    return 2; // usage error
  }
  const page = renderReference();
  if (check) {
    let current = '';
    try {
      current = readFileSync(REFERENCE_PATH, 'utf8');
    } catch {
      // A missing page is out of date like any other.
    }
    if (current === page) return 0;
    process.stderr.write(`${REFERENCE_PATH} is out of date: run npm run build && npm run docs\n`);
    return 1;
  }
  writeFileSync(REFERENCE_PATH, page);
  process.stdout.write(`wrote ${REFERENCE_PATH}\n`);
  return 0;
}

if (require.main === module) runAsMain(async () => main(process.argv.slice(2)));

/** The lifecycle's section: long, so apart from renderReference. */
function lifecycleSection(): string {
  return `## subscriptionLifecycle

One long-lived run per subscription, started by every purchase for what it bought (the purchase does not wait for it).
At \`commitmentEndDate − leadTime\` it reviews a subscription that renews (auto-renew on; annual and triennial terms
unless \`includeMonthly\`): it reads the licences assigned in the customer's tenant (every subscription of the same
licence SKU counted) and plans the next term's seats — never below those assigned plus \`headroom\`, \`minSeats\` or 1,
the reduction on the subscription that renews first. A plan that lowers the quantity waits in
\`awaiting-renewal-approval\` (\`propose\`, the default) or is applied at once (\`apply\`), always as a scheduled next-term
change by a child \`changeSubscription\` (\`scheduleNextTerm\`, workflow id
\`change-lifecycle-{subscriptionId}-{term end}-{attempt}\`). A completed \`changeSubscription\` of the subscription (or any
\`subscriptionChanged\` signal) makes it re-read the subscription: a plan it had scheduled that vanished (an immediate
change deletes every scheduled change) is applied again, or proposed again (status \`lost\`). Auto-renew off: the
\`subscription.expiring\` event at the lead time, no plan. After the term ends it reads the renewed subscription and
continues as new (also when its history grows long), carrying its last reviews.

Steps (\`PcStep\`): ${LifecycleStateSchema.shape.step.options.map(code).join(', ')}; \`ended\` is the last.

### LifecycleInput (input)

\`carried\` is set by the run itself when it continues as new; callers leave it out. \`listed\` is the subscription as
\`pcw subscriptions adopt\` listed it: the first run starts from it instead of reading it again (without it, it reads).
\`policy.leadTime\` is an ISO 8601
duration in weeks, days and time (\`P14D\`, \`PT36H\`) or \`14d\`, \`36h\`; \`RENEWAL_REVIEW_LEAD\` when absent.

${jsonSchemaBlock(LifecycleInputSchema, 'input')}

### Query \`${lifecycleStateQuery.name}\` → LifecycleState (also the result)

${jsonSchemaBlock(LifecycleStateSchema, 'output')}

### Updates and signal

${table(
  ['message', 'argument', 'returns', 'accepted'],
  [
    [code(approvePlanUpdate.name), '`ApprovePlanArgs`', '`LifecycleState`', 'while a plan is `proposed` or `lost`'],
    [code(rejectPlanUpdate.name), '`RejectPlanArgs`', '`LifecycleState`', 'while a plan is `proposed` or `lost`'],
    [
      code(setPolicyUpdate.name),
      '`RenewalPolicy`',
      '`LifecycleState`',
      'always; replaces the whole policy (omitted fields take their defaults); a waiting plan is reviewed again',
    ],
    [
      `signal ${code(subscriptionChangedSignal.name)}`,
      '`{ source }`',
      '—',
      'always: re-reads the subscription and re-applies a lost plan',
    ],
  ],
)}

ApprovePlanArgs:

${jsonSchemaBlock(ApprovePlanArgsSchema, 'input')}

RejectPlanArgs:

${jsonSchemaBlock(RejectPlanArgsSchema, 'input')}

RenewalPolicy:

${jsonSchemaBlock(RenewalPolicySchema, 'input')}

subscriptionChanged:

${jsonSchemaBlock(SubscriptionChangedArgsSchema, 'input')}

### Failure types

${failureTable(lifecycleFailureTypes, lifecycleFailureMeanings)}`;
}

function partnerCenterEventSection(): string {
  const eventFailureMeanings: Record<EventFailureType, string> = {
    PartnerCenterEventFailed:
      'Temporal refused a start or a signal the event needed (a run already there or ended is an outcome, not a failure).',
    AuditBackfillFailed:
      'auditBackfill could not read the activity log (after its retries); the next scheduled run reads from the same position.',
  };
  return `## partnerCenterEvent

One run per Partner Center webhook event, started by \`POST /v1/partner-center/events\` ([http-api.md](http-api.md#partner-center-events))
after the event's signature was verified; the same event delivered twice finds the same run, so its work is done once.
\`subscription-updated\` starts the subscription's lifecycle when none ever existed (its customer and subscription read
from \`ResourceUri\`), else signals it \`subscriptionChanged\` (\`source: partner-center-event\`); \`invoice-ready\` starts
the billed reconciliation \`reconcile-invoice-{invoiceId}\` once; \`test-created\` is recorded;
\`reseller-relationship-accepted-by-customer\` and \`granular-admin-relationship-approved\` signal \`relationshipAccepted\` or
\`gdapApproved\` to every running \`onboardCustomer\` of that tenant (\`PcCustomerId\`) or relationship
(\`PcGdapRelationshipId\`), found by one activity that lists them (outcome \`onboarding-signalled\`, else \`recorded\`); any other name is recorded and ignored. What it starts is an abandoned child, never
started twice. Outcomes: ${eventOutcomes.map(code).join(', ')}.

### PartnerCenterEvent (input)

Read leniently by the API: camelCase names too, \`null\` as empty, unknown fields kept.

${jsonSchemaBlock(PartnerCenterEventSchema, 'output')}

### PartnerCenterEventResult (result)

${jsonSchemaBlock(PartnerCenterEventResultSchema, 'output')}

### auditBackfill

Run by the Schedule \`${AUDIT_BACKFILL_SCHEDULE_ID}\` every 15 minutes ([partner-center-events.md](partner-center-events.md)):
reads the activity log (\`GET /v1/auditrecords\`) from \`since\`, starts a \`partnerCenterEvent\` under the webhook's
own id for each event found (one already handled is not started again), and keeps the position it reached as the
Schedule's next input.

${jsonSchemaBlock(AuditBackfillInputSchema, 'input')}

${jsonSchemaBlock(AuditBackfillResultSchema, 'output')}

### Failure types

${failureTable(eventFailureTypes, eventFailureMeanings)}`;
}

function licenceSection(): string {
  const meanings: Record<LicenceFailureType, string> = {
    InvalidLicenceRequest:
      'A user is neither a user principal name nor an object id, is listed twice, or is in both `assign` and `remove`; no user at all, or more than 2,000 (every problem named). Nothing was called.',
    LicencesNotVisible:
      "The subscription did not show in the customer's tenant (`GET /v1.0/directory/subscriptions`, by `commerceSubscriptionId`) within `LICENCE_VISIBILITY_DEADLINE`. Nothing was assigned.",
    Unauthorized:
      "The credential was refused (401), or Graph answered 403 in the customer's tenant: the message names the GDAP role to grant (License Administrator) and the Graph permission `LicenseAssignment.ReadWrite.All`.",
    MfaRequired: 'An App+User token without the MFA claim (401/900421): re-consent with MFA.',
  };
  return `## assignLicences

Gives users of the customer's tenant the licences of one subscription and takes them from others
([licences.md](licences.md)): waits (the adaptive poller) until the subscription shows in the tenant, then changes
each user through Microsoft Graph's \`assignLicense\` — removals first, then assignments in the order listed, 25
users per activity — and reads the SKU's seats after. Every user gets an outcome; more users than free licences
assigns what fits and reports the rest \`noLicenceAvailable\`. Emits \`licences.assigned\`.

Steps: ${steps(LicenceStatusSchema.shape.step.options)}.

### LicenceRequest (input)

Rules the JSON Schema cannot show: each user is a user principal name (\`name@domain.tld\`) or an object id (GUID),
listed once (without regard to case), never in both lists; \`assign\` and \`remove\` name at least one and at most
2,000 users together.

${jsonSchemaBlock(LicenceRequestSchema, 'input')}

### LicenceResult (result)

${jsonSchemaBlock(LicenceResultSchema, 'output')}

### Query \`${licenceStatusQuery.name}\` → LicenceStatus

${jsonSchemaBlock(LicenceStatusSchema, 'output')}

### Failure types

${failureTable(licenceFailureTypes, meanings)}`;
}
