#!/usr/bin/env bash
# Builds the "Pets" REST API of the AWS tutorial "Securing and Deploying the Amazon API Gateway"
# with the aws CLI, against Portcullis (or AWS itself), exactly as the console would:
#
#   /                 (root)
#   /pets             GET  (AWS_IAM)  -> HTTP GET  http://petstore-demo-endpoint.execute-api.com/petstore/pets
#                     POST (NONE)     -> HTTP POST http://petstore-demo-endpoint.execute-api.com/petstore/pets
#                     OPTIONS (NONE)  -> MOCK, the CORS preflight of "Enable CORS"
#   /pets/purchase    POST (AWS_IAM)  -> HTTP POST http://petstore-demo-endpoint.execute-api.com/petstore/pets
#                     OPTIONS (NONE)  -> MOCK, the CORS preflight of "Enable CORS"
#
# then deploys it to the stage "Test". The API's id is the last line printed on stdout.
#
# Usage (with `portcullis serve` running; it wrote portcullis-data/admin-credentials):
#   AWS_SHARED_CREDENTIALS_FILE=$PWD/portcullis-data/admin-credentials \
#   AWS_PROFILE=portcullis-admin examples/pets/build-api.sh
#
# Environment:
#   PORTCULLIS_ENDPOINT  the gateway's endpoint (default http://127.0.0.1:4566)
#   API_NAME             the REST API's name (default Pets)
#   AWS                  the aws CLI to run (default: aws from PATH)
#   Credentials come from the aws CLI's usual sources (AWS_PROFILE, AWS_ACCESS_KEY_ID/...).
#
# Every run creates a new API (names need not be unique in API Gateway); nothing is reused or
# deleted, so running it twice gives two independent APIs.
set -euo pipefail

AWS=${AWS:-aws}
ENDPOINT=${PORTCULLIS_ENDPOINT:-http://127.0.0.1:4566}
API_NAME=${API_NAME:-Pets}
REGION=us-east-1
STAGE=Test
BACKEND=http://petstore-demo-endpoint.execute-api.com/petstore/pets

# What "Enable CORS" in the console puts on the preflight (OPTIONS) and on every other method.
CORS_HEADERS="'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"
CORS_ORIGIN="'*'"

export AWS_PAGER=""

apigw() {
  "$AWS" --endpoint-url "$ENDPOINT" --region "$REGION" apigateway "$@"
}

log() { printf '%s\n' "$*" >&2; }

# A JSON string literal for an arbitrary value (quotes, backslashes).
json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# add_method RESOURCE_ID VERB AUTHORIZATION_TYPE
#   An HTTP integration of the same verb to the pet store backend, with the 200 method and
#   integration responses carrying Access-Control-Allow-Origin: '*' (as "Enable CORS" adds).
add_method() {
  local resource=$1 verb=$2 auth=$3
  log "  $verb ($auth)"
  apigw put-method --rest-api-id "$API_ID" --resource-id "$resource" --http-method "$verb" \
    --authorization-type "$auth" >/dev/null
  apigw put-integration --rest-api-id "$API_ID" --resource-id "$resource" --http-method "$verb" \
    --type HTTP --integration-http-method "$verb" --uri "$BACKEND" >/dev/null
  apigw put-method-response --rest-api-id "$API_ID" --resource-id "$resource" --http-method "$verb" \
    --status-code 200 \
    --response-parameters '{"method.response.header.Access-Control-Allow-Origin": false}' \
    --response-models '{"application/json": "Empty"}' >/dev/null
  apigw put-integration-response --rest-api-id "$API_ID" --resource-id "$resource" \
    --http-method "$verb" --status-code 200 \
    --response-parameters "{\"method.response.header.Access-Control-Allow-Origin\": $(json_str "$CORS_ORIGIN")}" \
    >/dev/null
}

# add_cors_preflight RESOURCE_ID ALLOWED_METHODS
#   The OPTIONS method "Enable CORS" creates: open, answered by a MOCK integration.
add_cors_preflight() {
  local resource=$1 methods=$2
  log "  OPTIONS (NONE, CORS preflight: $methods)"
  apigw put-method --rest-api-id "$API_ID" --resource-id "$resource" --http-method OPTIONS \
    --authorization-type NONE >/dev/null
  apigw put-integration --rest-api-id "$API_ID" --resource-id "$resource" --http-method OPTIONS \
    --type MOCK --request-templates '{"application/json": "{\"statusCode\": 200}"}' >/dev/null
  apigw put-method-response --rest-api-id "$API_ID" --resource-id "$resource" \
    --http-method OPTIONS --status-code 200 \
    --response-parameters '{"method.response.header.Access-Control-Allow-Headers": false, "method.response.header.Access-Control-Allow-Methods": false, "method.response.header.Access-Control-Allow-Origin": false}' \
    --response-models '{"application/json": "Empty"}' >/dev/null
  apigw put-integration-response --rest-api-id "$API_ID" --resource-id "$resource" \
    --http-method OPTIONS --status-code 200 \
    --response-parameters "{\"method.response.header.Access-Control-Allow-Headers\": $(json_str "$CORS_HEADERS"), \"method.response.header.Access-Control-Allow-Methods\": $(json_str "'$methods'"), \"method.response.header.Access-Control-Allow-Origin\": $(json_str "$CORS_ORIGIN")}" \
    --response-templates '{"application/json": ""}' >/dev/null
}

log "Creating REST API '$API_NAME' at $ENDPOINT"
API_ID=$(apigw create-rest-api --name "$API_NAME" \
  --description "The Pets API of the tutorial Securing and Deploying the Amazon API Gateway" \
  --query id --output text)
ROOT_ID=$(apigw get-resources --rest-api-id "$API_ID" --query "items[?path=='/'].id" --output text)
log "API $API_ID, root resource $ROOT_ID"

# Authorization: the tutorial secures listing the pets and buying one with IAM (callers must sign
# their requests with SigV4 and be allowed execute-api:Invoke), while adding a pet to the store
# (POST /pets) stays open, so the difference between a signed and an unsigned call is visible.
# The OPTIONS preflights must stay open: browsers never sign them.
PETS_ID=$(apigw create-resource --rest-api-id "$API_ID" --parent-id "$ROOT_ID" --path-part pets \
  --query id --output text)
log "/pets ($PETS_ID)"
add_method "$PETS_ID" GET AWS_IAM
add_method "$PETS_ID" POST NONE
add_cors_preflight "$PETS_ID" "GET,OPTIONS,POST"

PURCHASE_ID=$(apigw create-resource --rest-api-id "$API_ID" --parent-id "$PETS_ID" \
  --path-part purchase --query id --output text)
log "/pets/purchase ($PURCHASE_ID)"
add_method "$PURCHASE_ID" POST AWS_IAM
add_cors_preflight "$PURCHASE_ID" "OPTIONS,POST"

DEPLOYMENT_ID=$(apigw create-deployment --rest-api-id "$API_ID" --stage-name "$STAGE" \
  --description "First deployment of $API_NAME" --query id --output text)
log "Deployed as $DEPLOYMENT_ID to stage $STAGE"

printf '%s\n' "$API_ID"
