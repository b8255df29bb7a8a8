#!/usr/bin/env bash
# A whole new-commerce purchase against the Partner Center sandbox with curl (node only reads the JSON):
# token → product → SKU → availability → cart → checkout → order completed → subscription.
# It reads what `npm run sandbox` prints: PARTNER_CENTER_BASE_URL, AZURE_AUTHORITY_HOST, AZURE_TENANT_ID,
# AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS, and CUSTOMER_ID (one of its customers).
# Progress goes to stderr; the subscription bought is the JSON on stdout.
set -euo pipefail
for name in PARTNER_CENTER_BASE_URL AZURE_AUTHORITY_HOST AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET NODE_EXTRA_CA_CERTS CUSTOMER_ID; do
  [ -n "${!name:-}" ] || { echo "$name is not set (npm run sandbox prints it)" >&2; exit 2; }
done
product_id=${PRODUCT_ID:-CFQ7TTC0LH18} # Microsoft 365 Business Basic
country=${COUNTRY:-US}
api="$PARTNER_CENTER_BASE_URL/v1"
correlation_id=$(node -p 'crypto.randomUUID()')

# Prints the JavaScript expression $1, evaluated on the JSON read from stdin (as `j`); fails when it is undefined.
pick() {
  node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const value = new Function("j", `return (${process.argv[1]})`)(j);
    if (value === undefined) { console.error(`nothing at ${process.argv[1]}`); process.exit(3); }
    console.log(typeof value === "string" ? value : JSON.stringify(value));' "$1"
}
call() {
  curl -sS --fail-with-body -H "Authorization: Bearer $token" -H 'Accept: application/json' \
    -H "MS-CorrelationId: $correlation_id" "$@"
}

token=$(curl -sS --fail-with-body --cacert "$NODE_EXTRA_CA_CERTS" "$AZURE_AUTHORITY_HOST/$AZURE_TENANT_ID/oauth2/v2.0/token" \
  -d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" --data-urlencode "client_secret=$AZURE_CLIENT_SECRET" \
  --data-urlencode scope=https://api.partnercenter.microsoft.com/.default | pick j.access_token)

title=$(call "$api/products?country=$country&targetView=OnlineServices" | pick "j.items.find((p) => p.id === '$product_id').title")
echo "product      $product_id $title" >&2
sku_id=$(call "$api/products/$product_id/skus?country=$country" | pick 'j.items[0].id')
echo "sku          $sku_id" >&2
catalog_item_id=$(call "$api/products/$product_id/skus/$sku_id/availabilities?country=$country" |
  pick "j.items.find((a) => a.terms.some((t) => t.duration === 'P1M' && t.billingCycle.toLowerCase() === 'monthly')).catalogItemId")
echo "catalog item $catalog_item_id" >&2

cart=$(call -X POST -H 'Content-Type: application/json' "$api/customers/$CUSTOMER_ID/carts" \
  -d "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"$catalog_item_id\",\"quantity\":2,\"termDuration\":\"P1M\",\"billingCycle\":\"monthly\"}]}")
# A line Partner Center refuses still comes back in a created cart, with its error beside it.
line_error=$(pick 'j.lineItems[0].error ?? ""' <<<"$cart")
[ -z "$line_error" ] || { echo "cart line refused: $line_error" >&2; exit 1; }
cart_id=$(pick j.id <<<"$cart")
echo "cart         $cart_id" >&2
# The same MS-RequestId on a retried checkout is what keeps a lost response from buying twice.
order_id=$(call -X POST -H "MS-RequestId: $(node -p 'crypto.randomUUID()')" "$api/customers/$CUSTOMER_ID/carts/$cart_id/checkout" |
  pick 'j.orders[0].id')
echo "order        $order_id" >&2

for _ in $(seq 1 120); do
  order=$(call "$api/customers/$CUSTOMER_ID/orders/$order_id")
  status=$(pick j.status <<<"$order")
  echo "order status $status" >&2
  [ "$status" = completed ] && break
  sleep 1
done
[ "$status" = completed ] || { echo "order $order_id is still $status" >&2; exit 1; }
subscription_id=$(pick 'j.lineItems[0].subscriptionId' <<<"$order")
echo "subscription $subscription_id" >&2
call "$api/customers/$CUSTOMER_ID/subscriptions/$subscription_id"
echo
