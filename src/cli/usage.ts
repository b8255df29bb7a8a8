/** The `pcw --help` text; docs/reference.md is generated from it, so it lists every command and flag. */
export const USAGE = `Usage: pcw <command> [options] [--json] [--verbose]

  purchase  --customer GUID --request-id ID (--catalog-item-id P:S:A | --product P --sku S)
            --quantity N --term P1M|P1Y|P3Y --billing monthly|annual|triennial
            [--country US] [--segment commercial] [--currency USD] [--friendly-name NAME]
            [--no-auto-renew] [--require-approval] [--wait]
  purchase  --file request.json [--wait]          a whole PurchaseRequest (docs/reference.md)
            a request id that already finished is refused (exit 1); one still running is attached to
  status    ID                                    step, cart, orders, subscriptions, last error or result
  watch     ID                                    follows the steps live until the run ends
  approve   REQUEST_ID --by NAME                  a purchase waiting in awaiting-approval
  reject    REQUEST_ID --by NAME --reason TEXT
  cancel    REQUEST_ID --reason TEXT              a running purchase
  change    --customer GUID --subscription GUID --request-id ID [--wait] and one of:
            --quantity N | --auto-renew on|off | --friendly-name NAME | --cancel |
            --schedule-next-term [--term P1Y] [--billing annual] [--quantity N] [--catalog-item-id P:S:A]
  reconcile --currency USD [--period current|previous] [--customer GUID] [--billing-delay-hours 24] [--wait]
  reconcile --currency USD [--period current] [--customer GUID] --schedule '0 6 * * *' [--schedule-id ID]
            unbilled new-commerce charges against orders and subscriptions, now or on a Temporal Schedule
            (five-field cron in UTC, or @hourly, @daily, @weekly, @monthly, @yearly)
  list      [--customer GUID] [--step STEP] [--limit 20]   purchases, changes and reconciliations, newest first
  schedules list                                  schedule id, cron, workflow type, next run, paused
  schedules delete SCHEDULE_ID
  doctor                                          checks configuration, Temporal, token, MFA claim, Partner Center

  ID is a request id (purchase-ID or change-ID) or a workflow id (a reconciliation's: reconcile-…).
  --json prints one JSON value per line; a failure as { "error": { "type", "message", "details" } }.
  --verbose adds the stack trace to a failure. Exit status: 0 success, 1 failure, 2 usage error.

Temporal connection and task queue come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_TASK_QUEUE, ...), as for the worker.`;
