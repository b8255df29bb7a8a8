/** The `pcw --help` text; docs/reference.md is generated from it, so it lists every command and flag. */
export const USAGE = `Usage: pcw <command> [options] [--json] [--verbose]

  purchase  --customer GUID --request-id ID (--catalog-item-id P:S:A | --product P --sku S)
            --quantity N --term P1M|P1Y|P3Y --billing monthly|annual|triennial
            [--country US] [--segment commercial] [--currency USD] [--friendly-name NAME]
            [--no-auto-renew] [--require-approval] [--wait]
            [--promotion ID|best] [--on-ineligible-promotion fail|buyWithout] [--attestation-accepted]
            [--partner-on-record-attestation-accepted]
            [--custom-term-end-date DATE | --align-with SUBSCRIPTION_GUID|calendarMonth]
            [--agreement-first-name NAME --agreement-last-name NAME --agreement-email EMAIL [--agreement-phone TEL]]
              (the agreement confirms the customer's Microsoft Customer Agreement when none is on record)
  purchase  --file request.json [--wait]          a whole PurchaseRequest (docs/reference.md)
            a request id that already finished is refused (exit 1); one still running is attached to
  quote     --file request.json                   what that PurchaseRequest would cost (price sheet); nothing is bought
  status    ID                                    step, cart, orders, subscriptions, last error or result
  watch     ID                                    follows the steps live until the run ends
  approve   REQUEST_ID --by NAME                  a purchase waiting in awaiting-approval
  reject    REQUEST_ID --by NAME --reason TEXT
  cancel    REQUEST_ID --reason TEXT              a running purchase
  change    --customer GUID --subscription GUID --request-id ID [--wait] and one of:
            --quantity N | --auto-renew on|off | --friendly-name NAME | --cancel |
            --schedule-next-term [--term P1Y] [--billing annual] [--quantity N] [--catalog-item-id P:S:A] |
            --transition-to P:S:A [--quantity N] [--transition-type transition_only|transition_with_license_transfer]
              [--timing immediate|scheduled] [--into SUBSCRIPTION_GUID]     an upgrade, now or at renewal |
            --convert-trial [--catalog-item-id P:S:A] [--quantity N] [--term P1Y] [--billing monthly] |
            --suspend (still billed while suspended) | --reactivate (only before the term ends)
  licences  assign|remove --customer GUID --subscription GUID (--user UPN|OBJECT_ID ... | --file users.txt)
            [--request-id ID] [--wait]     gives users the subscription's licences in the customer's tenant, or
            takes them; --file holds one user per line (# comments); each user's outcome with --wait
  reconcile --currency USD [--period current|previous] [--source graph|v1] [--customer GUID] [--billing-delay-hours 24]
            [--request-id ID] [--wait]
  reconcile --invoice ID [--customer GUID] [--billing-delay-hours 24] [--request-id ID] [--wait]
            a billed invoice's charges, read through the Microsoft Graph billed export
            --request-id runs it once as reconcile-ID: a repeat attaches to that run, or is refused once it finished
  reconcile --currency USD [--period current] [--customer GUID] --schedule '0 6 * * *' [--schedule-id ID]
            unbilled new-commerce charges against orders and subscriptions, now or on a Temporal Schedule
            (five-field cron in UTC, or @hourly, @daily, @weekly, @monthly, @yearly)
  onboard   --file onboard.json [--wait]           an OnboardRequest (docs/onboarding.md): a new customer or an existing tenant;
            --wait follows the steps and prints the links a person must open (invitation, GDAP approval)
  list      [--customer GUID] [--step STEP] [--limit 20]   purchases, changes, reconciliations and lifecycles, newest first
  schedules list                                  schedule id, cron, workflow type, next run, paused
  schedules delete SCHEDULE_ID
  activities pause --type ACTIVITY_TYPE --reason TEXT   holds that activity in every run, running and future, until
            resumed (an incident: e.g. checkoutPurchaseCart while Partner Center is degraded; docs/operations.md)
  activities resume --type ACTIVITY_TYPE          ends the pause: every held run continues where it was
  activities paused                               each paused type: runs held, since, by whom, reason
  offers eos [--market US]                        end-of-sale offers (price sheet) and every subscription carrying one
  invoices list [--limit 20] [--offset 0]        the partner's invoices, newest first, one page
  invoices show INVOICE_ID                        one invoice
  invoices statement INVOICE_ID --out FILE        the invoice's statement PDF (App+User only)
  pc-webhooks register --url URL [--events a,b]   creates or updates Partner Center's webhook registration, and the
                                                  backfill Schedule pc-audit-backfill on TEMPORAL_TASK_QUEUE
  pc-webhooks status                              the registration (URL, events) and the last validation's results
  pc-webhooks test                                a validation event, then its delivery result (waits up to 60 s)
  subscriptions adopt (--customer GUID | --all) [policy flags]   a lifecycle for every live subscription (idempotent)
  subscriptions show SUBSCRIPTION_ID              its lifecycle: policy, next review, plan, seats assigned, last reviews
  subscriptions policy SUBSCRIPTION_ID [policy flags]           replaces its renewal policy
  subscriptions approve-plan SUBSCRIPTION_ID --by NAME          schedules the planned next-term quantity
  subscriptions reject-plan SUBSCRIPTION_ID --by NAME --reason TEXT
            policy flags: [--review off|propose|apply] [--lead-time 14d|P14D] [--min-seats N] [--headroom N]
            [--include-monthly] (renewal reviews of monthly terms too)
  doctor                                          checks configuration, Temporal, token, MFA claim, Partner Center
  codec-server [--port 8888] [--host 127.0.0.1] [--origin http://127.0.0.1:8233]
            decrypts PAYLOAD_ENCRYPTION_KEYS payloads for the Temporal UI (--ui-codec-endpoint http://HOST:PORT/TOKEN)
            and CLI (--codec-endpoint, --codec-auth 'Bearer TOKEN'); TOKEN is one of PCW_API_TOKENS

  ID is a request id (purchase-ID, change-ID or licences-ID) or a workflow id (a reconciliation's: reconcile-…).
  --json prints one JSON value per line; a failure as { "error": { "type", "message", "details" } }.
  --verbose adds the stack trace to a failure. Exit status: 0 success, 1 failure, 2 usage error.

Temporal connection and task queue come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_TASK_QUEUE, ...), as for the worker. Beside a running \`npm start\`, what the environment leaves unset comes
from the settings it left in PCW_DATA_DIR/start-settings.json (its sandbox, its Temporal); \`pcw doctor\` says which.`;
