// The AWS SDK for JavaScript (v3) against Portcullis's API Gateway management API: build an
// API, deploy it, patch its stage, export and import it, and read AWS-shaped errors. Exits
// non-zero at the first difference. Endpoint and credentials come from the environment:
// PORTCULLIS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
import assert from "node:assert/strict";
import {
  APIGatewayClient, CreateRestApiCommand, GetResourcesCommand, CreateResourceCommand,
  PutMethodCommand, PutIntegrationCommand, PutMethodResponseCommand,
  PutIntegrationResponseCommand, CreateDeploymentCommand, GetStageCommand, UpdateStageCommand,
  GetExportCommand, ImportRestApiCommand, GetRestApiCommand, CreateApiKeyCommand,
  GetApiKeyCommand, GetIntegrationCommand, DeleteRestApiCommand, NotFoundException,
  ConflictException, BadRequestException,
} from "@aws-sdk/client-api-gateway";

const client = new APIGatewayClient({
  endpoint: process.env.PORTCULLIS_ENDPOINT,
  region: "us-east-1",
  maxAttempts: 1,
});
const send = (command) => client.send(command);

const api = await send(new CreateRestApiCommand({ name: "js-sdk", description: "from node" }));
assert.equal(api.name, "js-sdk");
assert.ok(api.createdDate instanceof Date && Math.abs(api.createdDate - Date.now()) < 60_000);
assert.deepEqual(api.endpointConfiguration, { types: ["EDGE"] });
assert.equal(api.apiKeySource, "HEADER");
// This SDK knows rootResourceId.
const { items } = await send(new GetResourcesCommand({ restApiId: api.id }));
assert.equal(items.length, 1);
assert.equal(api.rootResourceId, items[0].id);

const pets = await send(new CreateResourceCommand({
  restApiId: api.id, parentId: api.rootResourceId, pathPart: "pets" }));
assert.equal(pets.path, "/pets");
await assert.rejects(
  send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "pets" })),
  (e) => e instanceof ConflictException && e.$metadata.httpStatusCode === 409 &&
    e.message === "Another resource with the same parent already has this name: pets");

const ids = { restApiId: api.id, resourceId: pets.id, httpMethod: "GET" };
const method = await send(new PutMethodCommand({ ...ids, authorizationType: "AWS_IAM" }));
assert.equal(method.apiKeyRequired, false);
// integrationHttpMethod travels as "httpMethod" and comes back as httpMethod.
const integration = await send(new PutIntegrationCommand({
  ...ids, type: "HTTP", integrationHttpMethod: "GET", uri: "http://backend.example/pets" }));
assert.equal(integration.httpMethod, "GET");
assert.equal(integration.timeoutInMillis, 29000);
assert.deepEqual(await send(new GetIntegrationCommand(ids)).then(({ $metadata, ...rest }) => rest),
  (({ $metadata, ...rest }) => rest)(integration));
await send(new PutMethodResponseCommand({ ...ids, statusCode: "200",
  responseParameters: { "method.response.header.Access-Control-Allow-Origin": false } }));
await send(new PutIntegrationResponseCommand({ ...ids, statusCode: "200",
  responseParameters: { "method.response.header.Access-Control-Allow-Origin": "'*'" } }));

const deployment = await send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "Test" }));
let stage = await send(new GetStageCommand({ restApiId: api.id, stageName: "Test" }));
assert.equal(stage.deploymentId, deployment.id);
stage = await send(new UpdateStageCommand({ restApiId: api.id, stageName: "Test",
  patchOperations: [{ op: "replace", path: "/*/*/throttling/rateLimit", value: "50" },
                    { op: "add", path: "/variables/backend", value: "backend.example" }] }));
assert.equal(stage.methodSettings["*/*"].throttlingRateLimit, 50);
assert.deepEqual(stage.variables, { backend: "backend.example" });

const exported = await send(new GetExportCommand({ restApiId: api.id, stageName: "Test",
  exportType: "oas30", parameters: { extensions: "integrations" }, accepts: "application/json" }));
assert.equal(exported.contentType, "application/json");
assert.match(exported.contentDisposition, /^attachment; filename=".+\.json"$/);
const document = JSON.parse(new TextDecoder().decode(exported.body));
assert.equal(document.paths["/pets"].get["x-amazon-apigateway-integration"].uri,
  "http://backend.example/pets");
assert.deepEqual(document.paths["/pets"].get.security, [{ sigv4: [] }]);

const copy = await send(new ImportRestApiCommand({ body: new TextEncoder().encode(JSON.stringify(document)),
  failOnWarnings: true }));
assert.equal(copy.name, "js-sdk");
assert.notEqual(copy.id, api.id);

const key = await send(new CreateApiKeyCommand({ name: "js-key", enabled: true }));
assert.equal(key.value.length, 40);
const read = await send(new GetApiKeyCommand({ apiKey: key.id }));
assert.equal(read.value, undefined);
assert.equal((await send(new GetApiKeyCommand({ apiKey: key.id, includeValue: true }))).value, key.value);

await assert.rejects(send(new GetRestApiCommand({ restApiId: "nope123456" })),
  (e) => e instanceof NotFoundException &&
    e.message === "Invalid API identifier specified 000000000000:nope123456");
await assert.rejects(
  send(new UpdateStageCommand({ restApiId: api.id, stageName: "Test",
    patchOperations: [{ op: "replace", path: "/nope", value: "x" }] })),
  (e) => e instanceof BadRequestException && e.message.startsWith("Invalid patch path '/nope'"));

await send(new DeleteRestApiCommand({ restApiId: copy.id }));
console.log("ok");
