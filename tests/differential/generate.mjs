#!/usr/bin/env node
// Deterministic generator of IAM policy-evaluation cases for the differential test between
// Portcullis's engine (src/iam/policy/) and @cloud-copilot/iam-simulate.
//
//   node generate.mjs [--count 2000] [--seed 1] [--sim-bugs] [--no-session] [--no-probes] > cases.json
//
// Pure JavaScript, no dependencies: the same count and seed give byte-identical output on any
// machine (the integration test re-runs it and checks a hash recorded in expected.json).
//
// Every policy is valid for Portcullis's parser (src/iam/policy/parse.cc); validateForPortcullis()
// below mirrors its rules and the generator throws rather than emit one it would reject.
//
// Every case is consistent with iam-simulate's schema checks (runSimulation): real actions,
// resource ARNs of the action's resource type, context keys the action accepts, string values
// for single-valued keys and arrays for multivalued ones. A few cases use custom keys with
// list types iam-data has no key for (numericList, dateList, ...); they are marked
// engine:"unsafe" and simulate.mjs runs them through runUnsafeSimulation.
//
// --sim-bugs adds constructs for which iam-simulate contradicts AWS's documentation (see
// docs/iam-differential.md): policy variables in 2008-10-17 policies, epoch and ISO-8601 dates
// compared with each other, the IPv4 CIDR /0, textual IPv6 equality, default values written
// without a space. They are off by default so that every mismatch is worth a look.

const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  if (i === -1) return dflt;
  if (typeof dflt === 'boolean') return true;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  return v;
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: node generate.mjs [--count N] [--seed S] [--sim-bugs] [--no-session] [--no-probes]\n'
  );
  process.exit(0);
}
const COUNT = parseInt(opt('--count', '2000'), 10);
const SEED = parseInt(opt('--seed', '1'), 10);
const SIM_BUGS = opt('--sim-bugs', false);
const SESSIONS = !opt('--no-session', false);
if (!(COUNT >= 0) || !Number.isFinite(SEED)) throw new Error('bad --count or --seed');

// ---------------------------------------------------------------------------------------------
// PRNG: mulberry32 over a 32-bit seed mixed per case, so case i does not depend on the count.

function mulberry32(a) {
  return function () {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rnd = Math.random; // replaced per case
const chance = (p) => rnd() < p;
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)); // inclusive
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
function pickN(xs, n) {
  const copy = [...xs];
  const out = [];
  while (out.length < n && copy.length) out.push(copy.splice(Math.floor(rnd() * copy.length), 1)[0]);
  return out;
}
function weighted(pairs) {
  // [[weight, value], ...]
  const total = pairs.reduce((s, [w]) => s + w, 0);
  let r = rnd() * total;
  for (const [w, v] of pairs) {
    if ((r -= w) < 0) return v;
  }
  return pairs[pairs.length - 1][1];
}
const one = (xs) => (xs.length === 1 && chance(0.5) ? xs[0] : xs); // "x" or ["x"]

// ---------------------------------------------------------------------------------------------
// The world: two accounts, a few users, resources of several shapes.

const ACCT_A = '111122223333';
const ACCT_B = '444455556666';
const REGION = 'us-east-1';

const USERS = {
  [ACCT_A]: ['alice', 'bob', 'division/carol'],
  [ACCT_B]: ['dave', 'erin'],
};
const userArn = (acct, name) => `arn:aws:iam::${acct}:user/${name}`;
const ROLE_A = `arn:aws:iam::${ACCT_A}:role/RoleA`;
const SESSION_A = `arn:aws:sts::${ACCT_A}:assumed-role/RoleA/session-1`;

// Request shapes. keys: service-specific context keys the action accepts (iam-data).
// acct: whether the ARN names its account (then the owner is that account).
const REQUESTS = [
  { action: 's3:GetObject', res: (o, r) => `arn:aws:s3:::${pick(['bucket-a', 'bucket-b'])}/${r}`, acct: false, kind: 's3obj' },
  { action: 's3:PutObject', res: (o, r) => `arn:aws:s3:::bucket-a/${r}`, acct: false, kind: 's3obj' },
  { action: 's3:DeleteObject', res: (o, r) => `arn:aws:s3:::bucket-b/${r}`, acct: false, kind: 's3obj' },
  { action: 's3:ListBucket', res: () => `arn:aws:s3:::${pick(['bucket-a', 'bucket-b'])}`, acct: false, kind: 's3bucket', keys: ['s3:prefix', 's3:max-keys'] },
  { action: 's3:ListAllMyBuckets', res: () => '*', acct: false, kind: 'star' },
  { action: 'ec2:RunInstances', res: (o) => `arn:aws:ec2:${REGION}:${o}:instance/i-0abc${pick(['123', '456'])}`, acct: true, kind: 'ec2', keys: ['ec2:InstanceType'] },
  { action: 'ec2:TerminateInstances', res: (o) => `arn:aws:ec2:${REGION}:${o}:instance/i-0abc123`, acct: true, kind: 'ec2', keys: ['ec2:InstanceType'] },
  { action: 'ec2:DescribeInstances', res: () => '*', acct: false, kind: 'star' },
  { action: 'dynamodb:GetItem', res: (o) => `arn:aws:dynamodb:${REGION}:${o}:table/${pick(['Books', 'eng-Books', 'ops'])}`, acct: true, kind: 'ddb' },
  { action: 'dynamodb:PutItem', res: (o) => `arn:aws:dynamodb:${REGION}:${o}:table/Books`, acct: true, kind: 'ddb' },
  { action: 'sqs:SendMessage', res: (o) => `arn:aws:sqs:${REGION}:${o}:${pick(['queue1', 'queue2'])}`, acct: true, kind: 'sqs' },
  { action: 'sns:Publish', res: (o) => `arn:aws:sns:${REGION}:${o}:topic1`, acct: true, kind: 'sns' },
  { action: 'iam:GetUser', res: (o, r, u) => `arn:aws:iam::${o}:user/${u}`, acct: true, kind: 'iamuser' },
  { action: 'iam:TagUser', res: (o, r, u) => `arn:aws:iam::${o}:user/${u}`, acct: true, kind: 'iamuser' },
  { action: 'lambda:InvokeFunction', res: (o) => `arn:aws:lambda:${REGION}:${o}:function:${pick(['fn1', 'fn-eng'])}`, acct: true, kind: 'lambda' },
  { action: 'secretsmanager:GetSecretValue', res: (o) => `arn:aws:secretsmanager:${REGION}:${o}:secret:db-AbCdEf`, acct: true, kind: 'secret' },
  { action: 'logs:PutLogEvents', res: (o) => `arn:aws:logs:${REGION}:${o}:log-group:app:log-stream:s1`, acct: true, kind: 'logs' },
];
// Other actions statements may name (same or other services).
const OTHER_ACTIONS = ['s3:DeleteBucket', 's3:GetBucketPolicy', 'ec2:StopInstances', 'iam:CreateUser',
  'iam:DeleteUser', 'dynamodb:Scan', 'sqs:ReceiveMessage', 'sns:Subscribe', 'kms:Decrypt',
  'lambda:GetFunction', 'logs:CreateLogGroup', 'secretsmanager:PutSecretValue'];
// Object keys under the buckets; '?' and '$' are literal in request ARNs (a '*' there would make
// iam-simulate evaluate a wildcard request, which SimulateCustomPolicy has no notion of).
const OBJECT_KEYS = ['home/alice/notes.txt', 'home/bob/a.txt', 'home/a?ice/x', 'home/al?ce/x',
  'public/index.html', 'eng/report.csv', 'what?', 'cost$1', 'home/josé/f', 'home/division/carol/y'];

// ---------------------------------------------------------------------------------------------
// Context keys. type is the SimulateCustomPolicy ContextKeyType; list types are multivalued.
// gen(): a context value (a string, or an array for list types).

const ISO_TIMES = ['2024-01-15T12:00:00Z', '2023-06-01T00:00:00Z', '2025-03-01T08:30:00Z',
  '2024-01-15T00:00:00Z'];
const EPOCHS = ['1705320000', '1685577600', '1740817800', '1705276800'];

const KEYS = {
  'aws:username': { type: 'string', domain: ['alice', 'bob', 'carol', 'Alice', 'a?ice', 'al*ce', 'dave'], unicode: ['josé', 'JOSÉ'] },
  'aws:userid': { type: 'string', domain: ['AIDAALICE00000000001', 'AIDABOB0000000000002', 'AROAROLEA:session-1'] },
  'aws:PrincipalTag/team': { type: 'string', domain: ['eng', 'ops', 'Eng', 'finance', 'eng-platform', 'team'], unicode: ['équipe', 'ÉQUIPE', 'Équipe', 'straße'] },
  'aws:RequestTag/env': { type: 'string', domain: ['dev', 'prod', 'Prod', 'staging'] },
  'aws:RequestTag/blob': { type: 'binary', domain: ['aGVsbG8=', 'd29ybGQ=', 'AAECAw=='] },
  'aws:SourceVpc': { type: 'string', domain: ['vpc-1a2b3c4d', 'vpc-99999999'] },
  'aws:PrincipalArn': { type: 'string', arn: true, domain: [userArn(ACCT_A, 'alice'), userArn(ACCT_A, 'bob'), ROLE_A, userArn(ACCT_B, 'dave')] },
  'aws:SourceArn': { type: 'string', arn: true, domain: [`arn:aws:sns:${REGION}:${ACCT_A}:topic1`, 'arn:aws:s3:::bucket-a', `arn:aws:lambda:${REGION}:${ACCT_A}:function:fn1`, `arn:aws:sqs:${REGION}:${ACCT_B}:queue9`] },
  'aws:SourceIp': { type: 'ip', domain: ['192.0.2.10', '192.0.2.200', '198.51.100.7', '10.1.2.3', '203.0.113.255', '2001:db8::1', '2001:db8:0:1::5'] },
  'aws:CurrentTime': { type: 'date', domain: ISO_TIMES, fraction: ['2024-01-15T12:00:00.500Z'] },
  'aws:TokenIssueTime': { type: 'date', domain: ISO_TIMES },
  'aws:EpochTime': { type: 'date', epoch: true, domain: EPOCHS },
  'aws:SecureTransport': { type: 'boolean', domain: ['true', 'false'] },
  'aws:MultiFactorAuthPresent': { type: 'boolean', domain: ['true', 'false', 'TRUE'] },
  'aws:MultiFactorAuthAge': { type: 'numeric', domain: ['0', '300', '3600', '86400', '12.5', '-1'] },
  'aws:TagKeys': { type: 'stringList', domain: [['team'], ['team', 'env'], ['env', 'cost'], ['Team'], ['cost']], empty: true },
  'aws:CalledVia': { type: 'stringList', domain: [['cloudformation.amazonaws.com'], ['athena.amazonaws.com', 'cloudformation.amazonaws.com'], ['athena.amazonaws.com']], empty: true },
  's3:prefix': { type: 'string', domain: ['home/alice/', 'home/bob/docs/', 'public/', '', 'home/'] },
  's3:max-keys': { type: 'numeric', domain: ['10', '100', '1000', '1001'] },
  'ec2:InstanceType': { type: 'string', domain: ['t2.micro', 't3.large', 'm5.xlarge', 'T2.MICRO'] },
};
const GLOBAL_KEYS = Object.keys(KEYS).filter((k) => k.startsWith('aws:'));
// Custom keys (not in iam-data): only in engine:"unsafe" cases.
const CUSTOM_KEYS = {
  'portcullis:Nums': { type: 'numericList', domain: [['1', '5', '10'], ['20'], ['3.5', '7']], empty: true },
  'portcullis:Dates': { type: 'dateList', domain: [['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'], ['2023-06-01T00:00:00Z']] },
  'portcullis:Ips': { type: 'ipList', domain: [['192.0.2.1', '10.0.0.5'], ['198.51.100.9']] },
  'portcullis:Flags': { type: 'booleanList', domain: [['true', 'false'], ['true'], ['false']] },
  'portcullis:Blobs': { type: 'binaryList', domain: [['aGVsbG8=', 'AAECAw=='], ['d29ybGQ=']] },
  'portcullis:Names': { type: 'stringList', domain: [['alice', 'bob'], ['carol'], ['Alice', 'eng']], empty: true },
  'portcullis:Num': { type: 'numeric', domain: ['4', '15'] },
  'portcullis:Ip': { type: 'ip', domain: ['192.0.2.77', '2001:db8::9'] },
};
const isList = (t) => t.endsWith('List');
const baseType = (t) => (isList(t) ? t.slice(0, -4) : t);

// ---------------------------------------------------------------------------------------------
// Condition operators

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const NUMERIC_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan',
  'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals',
  'DateGreaterThan', 'DateGreaterThanEquals'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
const IP_OPS = ['IpAddress', 'NotIpAddress'];
const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike',
  'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']);
const ALL_OPS = [...STRING_OPS, ...NUMERIC_OPS, ...DATE_OPS, 'Bool', 'BinaryEquals', ...IP_OPS,
  ...ARN_OPS, 'Null'];

function swapCase(s) {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}
function likePattern(v) {
  if (v.length === 0) return '*';
  return weighted([
    [3, () => v.slice(0, int(0, v.length)) + '*'],
    [2, () => '*' + v.slice(int(0, v.length))],
    [2, () => { const i = int(0, v.length - 1); return v.slice(0, i) + '?' + v.slice(i + 1); }],
    [1, () => '*'],
    [1, () => { const i = int(0, v.length); return v.slice(0, i) + '*' + v.slice(i); }],
  ])();
}

// The variables a 2012-10-17 string condition value may use; unicode and default forms.
function variableValue(ctx, tags) {
  const form = weighted([
    [4, '${aws:username}'],
    [3, '${aws:PrincipalTag/team}'],
    [2, "${aws:username, 'nobody'}"],
    [2, "${aws:PrincipalTag/team, 'eng'}"],
    [1, '${aws:userid}'],
    [1, '${AWS:UserName}'],
    [1, "${aws:TagKeys, 'team'}"], // a multivalued key: only its default can be used
    [2, '${aws:TagKeys}'],
    [1, 'home/${aws:username}/'],
  ]);
  tags.add('variables');
  if (form.includes(", '")) tags.add('var-default');
  if (form.includes('TagKeys')) tags.add('var-from-list-key');
  noteUnresolved(form, ctx, tags);
  return form;
}

// Tags when a variable in `text` has no single value in the context and no default.
function unresolvedVars(text, ctx) {
  const out = [];
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    const body = m[1];
    if (body === '*' || body === '?' || body === '$') continue;
    if (body.includes(',')) continue; // has a default
    const e = ctx.get(body.trim().toLowerCase());
    if (!e || e.values.length !== 1 || isList(e.type)) out.push(body);
  }
  return out;
}
function noteUnresolved(text, ctx, tags) {
  const u = unresolvedVars(text, ctx);
  if (u.length) tags.add('unresolved-var');
  return u.length > 0;
}

// Escapes: ${*} ${?} ${$} (literal characters).
function escapeValue(tags) {
  tags.add('var-escape');
  return pick(['al${*}ce', 'a${?}ice', '${*}', 'cost${$}1', 'what${?}']);
}

function stringPolicyValues(op, spec, ctx, variables, tags) {
  const domain = spec.domain.flat();
  const n = weighted([[6, 1], [3, 2], [1, 3]]);
  const out = [];
  for (let i = 0; i < n; i++) {
    let v = pick(domain);
    if (spec.unicode && chance(0.3)) {
      v = pick(spec.unicode);
      tags.add('unicode');
    }
    if (op.includes('IgnoreCase') && chance(0.5)) v = swapCase(v);
    if (op.includes('Like') && chance(0.6)) {
      v = likePattern(v);
      tags.add('wildcard-value');
    }
    if (variables && chance(0.18)) v = variableValue(ctx, tags);
    else if (variables && chance(0.05)) v = escapeValue(tags);
    if (/[^\x00-\x7f]/.test(v)) tags.add('unicode');
    out.push(v);
  }
  return out;
}

function numericPolicyValues(spec, tags) {
  const n = weighted([[7, 1], [3, 2]]);
  const out = [];
  for (let i = 0; i < n; i++) {
    const base = parseFloat(pick(spec.domain.flat()));
    const v = weighted([[4, base], [2, base + 1], [2, base - 1], [1, base + 0.5], [1, 0]]);
    // Unquoted JSON numbers are valid condition values too.
    if (Number.isInteger(v) && chance(0.25)) {
      tags.add('unquoted-values');
      out.push(v);
    } else {
      out.push(String(v));
    }
  }
  return out;
}

function isoShift(iso, seconds) {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString().replace('.000Z', 'Z');
}
function datePolicyValues(spec, entry, tags) {
  const n = weighted([[7, 1], [3, 2]]);
  const out = [];
  for (let i = 0; i < n; i++) {
    if (spec.epoch) {
      // Epoch seconds against epoch seconds (mixing forms trips an iam-simulate bug).
      if (SIM_BUGS && chance(0.3)) {
        tags.add('sim-bug:date-mixed-forms');
        out.push(isoShift(new Date(parseInt(pick(EPOCHS), 10) * 1000).toISOString(), pick([0, 60, -60])));
      } else {
        out.push(String(parseInt(pick(spec.domain.flat()), 10) + pick([0, 0, 1, -1, 3600, -86400])));
      }
    } else if (SIM_BUGS && chance(0.1)) {
      tags.add('sim-bug:date-mixed-forms');
      out.push(String(Math.floor(Date.parse(pick(ISO_TIMES)) / 1000)));
    } else {
      // Near the context's value half the time (with its fraction of a second dropped).
      const base = entry && entry.values.length && chance(0.5)
        ? entry.values[0].replace(/\.\d+Z$/, 'Z')
        : pick(spec.domain.flat());
      const v = weighted([
        [4, () => base],
        [2, () => isoShift(base, pick([1, -1, 3600, -3600, 86400]))],
        [1, () => base.slice(0, 10)], // a date alone: midnight UTC
      ])();
      out.push(v);
    }
  }
  return out;
}

const IPV4_CIDRS = ['192.0.2.0/24', '192.0.2.10/32', '10.0.0.0/8', '198.51.100.0/25',
  '198.51.100.128/25', '203.0.113.0/24', '192.0.2.128/26', '10.1.2.3/31'];
const IPV6_CIDRS = ['2001:db8::/32', '2001:db8:0:1::/64', '2001:db8::1/128', '2001:db8:ffff::/48'];
// A bare address (no /prefix) is a /32 or /128. iam-simulate compares it as text and, against an
// address of the other family, makes NotIpAddress false: bare addresses go only to IpAddress
// unless --sim-bugs.
const BARE_IPS = ['192.0.2.10', '198.51.100.7', '2001:db8::1'];
function ipPolicyValues(op, tags) {
  const n = weighted([[6, 1], [3, 2], [1, 3]]);
  const out = [];
  for (let i = 0; i < n; i++) {
    if ((op === 'IpAddress' || SIM_BUGS) && chance(0.12)) {
      if (op !== 'IpAddress') tags.add('sim-bug:ip');
      out.push(pick(BARE_IPS));
    } else if (SIM_BUGS && chance(0.1)) {
      tags.add('sim-bug:ip');
      out.push(pick(['0.0.0.0/0', '2001:DB8::1', '2001:0db8:0:0::1']));
    } else {
      out.push(chance(0.75) ? pick(IPV4_CIDRS) : pick(IPV6_CIDRS));
    }
  }
  return out;
}

function arnPolicyValues(spec, ctx, variables, tags) {
  const n = weighted([[6, 1], [3, 2], [1, 3]]);
  const out = [];
  for (let i = 0; i < n; i++) {
    const base = pick(spec.domain);
    const parts = base.split(':');
    const v = weighted([
      [4, () => base],
      [2, () => { const p = [...parts]; p[int(3, 4)] = '*'; return p.join(':'); }], // region or account
      [2, () => parts.slice(0, 5).join(':') + ':' + likePattern(parts.slice(5).join(':'))],
      [1, () => `arn:aws:iam::${ACCT_A}:user/*`],
      [1, () => `arn:aws:*:*:${ACCT_A}:*`],
      [1, () => `arn:aws:iam::*:*`],
      [1, () => { tags.add('arn-segment-case'); const p = [...parts]; p[2] = p[2].toUpperCase(); return p.join(':'); }],
      [variables ? 2 : 0, () => { tags.add('variables'); const v = `arn:aws:iam::${ACCT_A}:user/\${aws:username}`; noteUnresolved(v, ctx, tags); return v; }],
      // iam-simulate splits the value into ARN parts before substituting: a whole-ARN variable
      // never matches there.
      [variables && SIM_BUGS ? 1 : 0, () => { tags.add('variables'); tags.add('sim-bug:arn-var-whole'); const v = '${aws:PrincipalArn}'; noteUnresolved(v, ctx, tags); return v; }],
    ])();
    out.push(v);
  }
  return out;
}

// Picks a key and an operator and makes one condition (op name, key, values).
function makeCondition(ctx, env, variables, tags) {
  const keyPool = env.unsafe ? [...Object.keys(CUSTOM_KEYS), ...GLOBAL_KEYS] : env.keys;
  // Prefer keys the context has (so conditions are decided by values), but often not.
  const present = keyPool.filter((k) => ctx.has(k.toLowerCase()));
  const key = present.length && chance(0.7) ? pick(present) : pick(keyPool);
  const spec = KEYS[key] || CUSTOM_KEYS[key];
  const entry = ctx.get(key.toLowerCase());
  const t = baseType(spec.type);

  let family;
  if (chance(0.07)) family = 'Null';
  else if (t === 'string') family = spec.arn && chance(0.6) ? 'arn' : 'string';
  else if (t === 'binary') family = 'BinaryEquals';
  else if (t === 'numeric') family = 'numeric';
  else if (t === 'date') family = spec.epoch && chance(0.3) ? 'numeric' : 'date';
  else if (t === 'boolean') family = 'Bool';
  else if (t === 'ip') family = 'ip';
  else throw new Error(`no family for ${spec.type}`);

  let op;
  let values;
  if (family === 'Null') {
    op = 'Null';
    values = weighted([[5, ['true']], [5, ['false']], [1, ['true', 'false']]]);
    if (chance(0.2)) {
      tags.add('unquoted-values');
      values = values.map((v) => v === 'true');
    }
  } else if (family === 'string') {
    op = pick(STRING_OPS);
    values = stringPolicyValues(op, spec, ctx, variables, tags);
  } else if (family === 'arn') {
    op = pick(ARN_OPS);
    values = arnPolicyValues(spec, ctx, variables, tags);
  } else if (family === 'BinaryEquals') {
    op = 'BinaryEquals';
    values = pickN(spec.domain.flat(), int(1, 2));
  } else if (family === 'numeric') {
    op = pick(NUMERIC_OPS);
    values = numericPolicyValues(spec, tags);
  } else if (family === 'date') {
    op = pick(DATE_OPS);
    values = datePolicyValues(spec, entry, tags);
  } else if (family === 'Bool') {
    op = 'Bool';
    values = [pick(['true', 'false', 'True', 'FALSE'])];
    if (chance(0.2)) {
      tags.add('unquoted-values');
      values = [values[0].toLowerCase() === 'true'];
    }
  } else if (family === 'ip') {
    op = pick(IP_OPS);
    values = ipPolicyValues(op, tags);
  }

  // Qualifiers: mostly on multivalued keys, sometimes on single-valued ones.
  let qualifier = '';
  if (op !== 'Null' || chance(0.1)) {
    const q = isList(spec.type) ? 0.7 : 0.12;
    if (chance(q)) qualifier = pick(['ForAllValues:', 'ForAnyValue:']);
  }
  const ifExists = op !== 'Null' && chance(0.2);
  const name = qualifier + op + (ifExists ? 'IfExists' : '');

  tags.add(`op:${op}`);
  if (ifExists) tags.add('ifexists');
  if (qualifier) tags.add(qualifier === 'ForAllValues:' ? 'forallvalues' : 'foranyvalue');
  if (!entry) tags.add('missing-key');
  else if (entry.values.length === 0) tags.add('empty-set');
  if (entry && isList(entry.type) && !qualifier && op !== 'Null') tags.add('multivalued-no-qualifier');
  if (entry && isList(entry.type) && qualifier && NEGATED.has(op)) tags.add('negated-set-operator');
  if (NEGATED.has(op) && values.some((v) => typeof v === 'string' && unresolvedVars(v, ctx).length))
    tags.add('negated-unresolved-var');

  // Condition key names are case-insensitive: vary them now and then.
  let keyName = key;
  if (chance(0.1)) {
    keyName = key.replace(/^aws:/, 'AWS:');
    tags.add('key-case');
  }
  const v = values.length === 1 && chance(0.6) ? values[0] : values;
  return { name, key: keyName, value: v };
}

function makeConditionBlock(ctx, env, variables, tags, maxConds) {
  const n = weighted([[5, 0], [4, 1], [2, 2], [1, maxConds]]);
  if (n === 0) return undefined;
  const block = {};
  for (let i = 0; i < n; i++) {
    const c = makeCondition(ctx, env, variables, tags);
    block[c.name] = block[c.name] || {};
    if (Object.keys(block[c.name]).some((k) => k.toLowerCase() === c.key.toLowerCase())) continue;
    block[c.name][c.key] = c.value;
  }
  return block;
}

// ---------------------------------------------------------------------------------------------
// Actions and resources in statements

function caseVary(action) {
  const [svc, name] = action.split(':');
  return weighted([
    [6, action],
    [1, `${svc}:${name.toLowerCase()}`],
    [1, `${svc}:${name.toUpperCase()}`],
    [1, `${svc.toUpperCase()}:${name}`],
  ]);
}
function actionPattern(req, tags) {
  const [svc, name] = req.action.split(':');
  return weighted([
    [8, () => caseVary(req.action)],
    [3, () => `${svc}:*`],
    [3, () => `${svc}:${name.slice(0, int(1, 4))}*`],
    [2, () => `${svc}:*${name.slice(-int(2, 6))}`],
    [2, () => { const i = int(0, name.length - 1); return `${svc}:${name.slice(0, i)}?${name.slice(i + 1)}`; }],
    [2, () => '*'],
    [1, () => `${svc}:${name.slice(0, 2)}*${name.slice(-2)}`.toLowerCase()],
    [5, () => pick(OTHER_ACTIONS)],
  ])();
}
function actionElement(req, tags) {
  const n = weighted([[6, 1], [3, 2], [1, 3]]);
  const list = [];
  for (let i = 0; i < n; i++) list.push(actionPattern(req, tags));
  return [...new Set(list)];
}

// Resource patterns for a request; variables only in 2012-10-17 policies.
function resourcePattern(req, ctx, variables, tags) {
  const r = req.resource;
  if (r === '*') {
    return weighted([[6, '*'], [2, `arn:aws:s3:::bucket-a`], [1, `arn:aws:ec2:${REGION}:${ACCT_A}:instance/*`]]);
  }
  const parts = r.split(':');
  const head = parts.slice(0, 5).join(':');
  const tail = parts.slice(5).join(':');
  const slash = tail.search(/[/:]/);
  const type = slash >= 0 && req.kind !== 's3obj' && req.kind !== 's3bucket' ? tail.slice(0, slash + 1) : '';
  const id = tail.slice(type.length);
  const choices = [
    [6, () => r],
    [4, () => '*'],
    [3, () => `${head}:${type}${likePattern(id)}`],
    [2, () => { const p = [...parts]; p[int(1, 4)] = '*'; return p.join(':'); }], // a segment
    [1, () => { const p = [...parts]; p[3] = p[3] ? p[3].replace(/.$/, '?') : '*'; return p.join(':'); }],
    [1, () => `arn:aws:${parts[2]}:*:*:*`],
    [1, () => `arn:aws:*:${parts[3]}:${parts[4]}:${'*'}`], // stays inside segments
    [1, () => `${head}:${tail}*`],
    [1, () => `${head}:${tail}/*`], // never matches the resource itself
    [3, () => otherResource(req)],
  ];
  if (type) {
    choices.push([1, () => { tags.add('product-wildcard'); return `${head}:${type.slice(0, 1)}*${type.slice(-1)}${id}`; }]);
  }
  if (parts[2] && chance(0.3)) {
    choices.push([1, () => { tags.add('arn-segment-case'); const p = [...parts]; p[2] = p[2].toUpperCase(); return p.join(':'); }]);
  }
  if (variables) {
    const vr = VARIABLE_RESOURCES[req.kind];
    if (vr) {
      choices.push([5, () => {
        const v = typeof vr === 'function' ? vr(req) : pick(vr);
        tags.add('variables');
        if (v.includes(", '")) tags.add('var-default');
        if (/\$\{[*?$]\}/.test(v)) tags.add('var-escape');
        noteUnresolved(v, ctx, tags);
        return v;
      }]);
    }
  }
  return weighted(choices)();
}
const VARIABLE_RESOURCES = {
  s3obj: ['arn:aws:s3:::bucket-a/home/${aws:username}/*', 'arn:aws:s3:::*/home/${aws:username}/*',
    "arn:aws:s3:::bucket-a/home/${aws:username, 'bob'}/*", 'arn:aws:s3:::bucket-a/${aws:PrincipalTag/team}/*',
    'arn:aws:s3:::bucket-a/home/al${*}ce/*', 'arn:aws:s3:::bucket-a/what${?}', 'arn:aws:s3:::bucket-b/cost${$}1',
    'arn:aws:s3:::bucket-a/home/${aws:username}/*'],
  s3bucket: ['arn:aws:s3:::${aws:PrincipalTag/team}-bucket', "arn:aws:s3:::bucket-${aws:RequestTag/env, 'a'}"],
  iamuser: [`arn:aws:iam::${ACCT_A}:user/\${aws:username}`, `arn:aws:iam::*:user/\${aws:username}`,
    `arn:aws:iam::${ACCT_A}:user/division/\${aws:username}`, `arn:aws:iam::${ACCT_B}:user/\${aws:username}`],
  ddb: [`arn:aws:dynamodb:${REGION}:*:table/\${aws:PrincipalTag/team}-*`, `arn:aws:dynamodb:*:*:table/\${aws:PrincipalTag/team}`],
  lambda: [`arn:aws:lambda:${REGION}:*:function:fn-\${aws:PrincipalTag/team}`],
  sqs: [`arn:aws:sqs:${REGION}:*:\${aws:username}`],
};
function otherResource(req) {
  return pick([
    'arn:aws:s3:::bucket-c/*', 'arn:aws:s3:::bucket-a/private/*', `arn:aws:sqs:${REGION}:${ACCT_A}:queue3`,
    `arn:aws:iam::${ACCT_A}:role/*`, `arn:aws:dynamodb:${REGION}:${ACCT_A}:table/Other`,
    `arn:aws:ec2:us-west-2:${ACCT_A}:instance/*`, `arn:aws:lambda:${REGION}:${ACCT_B}:function:*`,
  ]);
}
function resourceElement(req, ctx, variables, tags) {
  const n = weighted([[7, 1], [3, 2]]);
  const list = [];
  for (let i = 0; i < n; i++) list.push(resourcePattern(req, ctx, variables, tags));
  return [...new Set(list)];
}

// ---------------------------------------------------------------------------------------------
// Policies

function makeStatement(req, ctx, env, variables, tags, opts) {
  const s = {};
  if (chance(0.3)) s.Sid = `S${opts.index}`;
  s.Effect = chance(opts.denyShare) ? 'Deny' : 'Allow';
  if (s.Effect === 'Deny') tags.add('deny-statement');
  if (opts.principal) Object.assign(s, opts.principal(s.Effect));
  const actions = actionElement(req, tags);
  if (chance(0.12)) {
    s.NotAction = one(actions);
    tags.add('notaction');
  } else {
    s.Action = one(actions);
  }
  const resources = resourceElement(req, ctx, variables, tags);
  if (chance(0.12)) {
    s.NotResource = one(resources);
    tags.add('notresource');
    if (resources.some((r) => unresolvedVars(r, ctx).length && variables)) tags.add('notresource-unresolved-var');
  } else {
    s.Resource = one(resources);
  }
  const cond = makeConditionBlock(ctx, env, variables, tags, 3);
  if (cond) s.Condition = cond;
  return s;
}

function makePolicy(req, ctx, env, tags, opts) {
  const version = SIM_BUGS
    ? weighted([[80, '2012-10-17'], [12, '2008-10-17'], [8, undefined]])
    : weighted([[85, '2012-10-17'], [10, '2008-10-17'], [5, undefined]]);
  // Policy variables are only variables in 2012-10-17 policies; iam-simulate substitutes them in
  // any version, so older versions get none unless --sim-bugs.
  const variables = version === '2012-10-17' || SIM_BUGS;
  if (version === '2008-10-17') tags.add('version-2008');
  if (version === undefined) tags.add('version-none');
  if (version !== '2012-10-17' && SIM_BUGS) tags.add('sim-bug:old-version-variables');
  const n = weighted([[5, 1], [4, 2], [2, 3], [1, 4]]);
  const statements = [];
  for (let i = 0; i < n; i++) {
    statements.push(makeStatement(req, ctx, env, variables, tags, { ...opts, index: i + 1 }));
  }
  const p = {};
  if (version) p.Version = version;
  if (chance(0.05)) p.Id = 'PolicyId1';
  p.Statement = statements.length === 1 && chance(0.3) ? statements[0] : statements;
  return p;
}

function principalElement(caller, tags) {
  const acct = caller.split(':')[4];
  const other = acct === ACCT_A ? ACCT_B : ACCT_A;
  return (effect) => {
    if (effect === 'Deny' && chance(0.3)) {
      tags.add('notprincipal');
      const np = pick([
        { AWS: caller }, { AWS: userArn(other, USERS[other][0]) }, { AWS: `arn:aws:iam::${other}:root` },
        { AWS: [caller, `arn:aws:iam::${other}:root`] }, { AWS: acct },
      ]);
      return { NotPrincipal: np };
    }
    return pick([
      () => { tags.add('principal-star'); return { Principal: '*' }; },
      () => { tags.add('principal-star'); return { Principal: { AWS: '*' } }; },
      () => { tags.add('principal-user'); return { Principal: { AWS: caller } }; },
      () => { tags.add('principal-user'); return { Principal: { AWS: [userArn(other, USERS[other][0]), caller] } }; },
      () => { tags.add('principal-account'); return { Principal: { AWS: acct } }; },
      () => { tags.add('principal-root'); return { Principal: { AWS: `arn:aws:iam::${acct}:root` } }; },
      () => { tags.add('principal-other'); return { Principal: { AWS: userArn(acct, 'zed') } }; },
      () => { tags.add('principal-other'); return { Principal: { AWS: `arn:aws:iam::${other}:root` } }; },
      () => { tags.add('principal-service'); return { Principal: { Service: 'lambda.amazonaws.com' } }; },
      () => { tags.add('principal-role'); return { Principal: { AWS: ROLE_A } }; },
    ])();
  };
}

// ---------------------------------------------------------------------------------------------
// Context

function makeContext(env, tags) {
  const ctx = new Map(); // lower-case key -> {key, type, values}
  const pool = env.unsafe ? [...Object.keys(CUSTOM_KEYS), ...GLOBAL_KEYS] : env.keys;
  for (const key of pool) {
    if (!chance(env.unsafe && key.startsWith('portcullis:') ? 0.7 : 0.45)) continue;
    const spec = KEYS[key] || CUSTOM_KEYS[key];
    let v = pick(spec.domain);
    if (spec.unicode && chance(0.3)) v = pick(spec.unicode);
    if (spec.fraction && chance(0.3)) {
      v = pick(spec.fraction);
      tags.add('date-fraction');
    }
    let values = Array.isArray(v) ? [...v] : [v];
    if (isList(spec.type) && spec.empty && chance(0.15)) values = [];
    if (values.some((x) => /[^\x00-\x7f]/.test(x))) tags.add('unicode');
    ctx.set(key.toLowerCase(), { key, type: spec.type, values });
  }
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Portcullis's validation rules (src/iam/policy/parse.cc), so no case is rejected there.

const PORTCULLIS_OPS = new Set(ALL_OPS);
function validDate(text) {
  if (/^[0-9]+$/.test(text)) return text.length <= 15;
  const t = text.length === 10 ? text + 'T00:00:00Z' : text;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*)?Z$/.test(t) && !Number.isNaN(Date.parse(t));
}
function validIp(text) {
  const [addr, prefix, extra] = text.split('/');
  if (extra !== undefined) return false;
  let max;
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(addr)) max = 32;
  else if (/^[0-9A-Fa-f:]+$/.test(addr) && addr.includes(':')) max = 128;
  else return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && parseInt(prefix, 10) <= max;
}
function validateForPortcullis(policy, kind) {
  const fail = (m) => { throw new Error(`generated policy invalid for Portcullis (${m}): ${JSON.stringify(policy)}`); };
  for (const k of Object.keys(policy)) if (!['Version', 'Id', 'Statement'].includes(k)) fail(`key ${k}`);
  if ('Version' in policy && !['2012-10-17', '2008-10-17'].includes(policy.Version)) fail('version');
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  if (!statements.length) fail('no statements');
  const sids = new Set();
  for (const s of statements) {
    if (s.Sid !== undefined) {
      if (!/^[0-9A-Za-z]*$/.test(s.Sid)) fail('sid');
      if (s.Sid && sids.has(s.Sid)) fail('duplicate sid');
      sids.add(s.Sid);
    }
    if (!['Allow', 'Deny'].includes(s.Effect)) fail('effect');
    if (('Action' in s) === ('NotAction' in s)) fail('action');
    const actions = [s.Action ?? s.NotAction].flat();
    if (!actions.length) fail('no actions');
    for (const a of actions) {
      if (a === '*') continue;
      const c = a.indexOf(':');
      if (c <= 0 || c === a.length - 1 || !/^[A-Za-z0-9*?-]+$/.test(a.slice(0, c))) fail(`action ${a}`);
    }
    if (('Resource' in s) && ('NotResource' in s)) fail('resource');
    if (!('Resource' in s) && !('NotResource' in s)) fail('no resource');
    for (const r of [s.Resource ?? s.NotResource].flat()) {
      if (r !== '*' && !(r.startsWith('arn:') && r.split(':').length >= 6)) fail(`resource ${r}`);
    }
    const hasP = 'Principal' in s || 'NotPrincipal' in s;
    if (kind === 'identity' && hasP) fail('principal in identity policy');
    if (kind === 'resource' && !hasP) fail('no principal');
    if (hasP) {
      const p = s.Principal ?? s.NotPrincipal;
      if (typeof p === 'string') { if (p !== '*') fail('principal string'); } else {
        for (const [type, v] of Object.entries(p)) {
          for (const x of [v].flat()) {
            if (type === 'AWS' && !(x === '*' || /^\d{12}$/.test(x) || (x.startsWith('arn:') && !x.includes('*') && x.split(':').length >= 6))) fail(`principal ${x}`);
            if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) fail('principal type');
          }
        }
      }
    }
    if (s.Condition) {
      for (const [name, block] of Object.entries(s.Condition)) {
        let base = name.replace(/^(ForAllValues|ForAnyValue):/, '');
        const ifExists = base !== 'Null' && base.endsWith('IfExists');
        if (ifExists) base = base.slice(0, -8);
        if (!PORTCULLIS_OPS.has(base)) fail(`operator ${name}`);
        if (!Object.keys(block).length) fail('empty condition block');
        for (const [key, vals] of Object.entries(block)) {
          if (key.indexOf(':') <= 0) fail(`key ${key}`);
          const list = [vals].flat();
          if (!list.length) fail('no values');
          for (const v0 of list) {
            if (!['string', 'number', 'boolean'].includes(typeof v0)) fail('value type');
            const v = String(v0);
            if (base.startsWith('Numeric') && !(v.trim() === v && v !== '' && Number.isFinite(Number(v)))) fail(`numeric ${v}`);
            if (base.startsWith('Date') && !validDate(v)) fail(`date ${v}`);
            if ((base === 'Bool' || base === 'Null') && !/^(true|false)$/i.test(v)) fail(`bool ${v}`);
            if (base.endsWith('IpAddress') && !validIp(v)) fail(`ip ${v}`);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cases

function makeCase(i) {
  rnd = mulberry32((Math.imul(SEED, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
  const tags = new Set();

  // Caller: mostly account A's users; B's users make cross-account requests.
  const session = SESSIONS && chance(0.05);
  const unsafe = !session && chance(0.06);
  let caller;
  let callerAcct;
  if (session) {
    caller = SESSION_A;
    callerAcct = ACCT_A;
    tags.add('session');
  } else {
    callerAcct = chance(0.8) ? ACCT_A : ACCT_B;
    caller = userArn(callerAcct, pick(USERS[callerAcct]));
  }

  // runUnsafeSimulation does not know wildcard-only actions: a "*" request would match any Allow.
  const tmpl = pick(unsafe ? REQUESTS.filter((r) => r.kind !== 'star') : REQUESTS);
  // Owner: the caller's account mostly; cross-account otherwise.
  const owner = chance(0.72) ? callerAcct : callerAcct === ACCT_A ? ACCT_B : ACCT_A;
  const resource = tmpl.res(owner, pick(OBJECT_KEYS), pick(USERS[ACCT_A]));
  if (/[^\x00-\x7f]/.test(resource)) tags.add('unicode');
  const req = { ...tmpl, resource };
  if (resource === '*') tags.add('wildcard-only-action');
  if (owner !== callerAcct) tags.add('cross-account');

  const env = { unsafe, keys: [...GLOBAL_KEYS, ...(tmpl.keys || [])] };
  if (unsafe) tags.add('engine-unsafe');
  const ctx = makeContext(env, tags);

  const identityPolicies = [];
  const nIdentity = weighted([[6, 1], [3, 2], [1, 3]]);
  for (let k = 0; k < nIdentity; k++) identityPolicies.push(makePolicy(req, ctx, env, tags, { denyShare: 0.22 }));

  let boundaryPolicies;
  if (chance(0.22)) {
    tags.add('boundary');
    boundaryPolicies = [makePolicy(req, ctx, env, tags, { denyShare: 0.1 })];
  }
  let sessionPolicies;
  if (session) sessionPolicies = [makePolicy(req, ctx, env, tags, { denyShare: 0.1 })];

  let resourcePolicy;
  if (chance(0.4) || owner !== callerAcct && chance(0.6)) {
    tags.add('resource-policy');
    const principal = principalElement(caller, tags);
    resourcePolicy = makePolicy(req, ctx, env, tags, { denyShare: 0.2, principal });
    if (boundaryPolicies && tags.has('notprincipal')) tags.add('notprincipal-with-boundary');
  }

  for (const p of identityPolicies) validateForPortcullis(p, 'identity');
  for (const p of boundaryPolicies || []) validateForPortcullis(p, 'identity');
  for (const p of sessionPolicies || []) validateForPortcullis(p, 'identity');
  if (resourcePolicy) validateForPortcullis(resourcePolicy, 'resource');

  const c = {
    id: `c${String(i + 1).padStart(5, '0')}`,
    tags: [...tags].sort(),
  };
  if (unsafe) c.engine = 'unsafe';
  c.identityPolicies = identityPolicies;
  if (boundaryPolicies) c.boundaryPolicies = boundaryPolicies;
  if (sessionPolicies) c.sessionPolicies = sessionPolicies;
  if (resourcePolicy) c.resourcePolicy = resourcePolicy;
  c.action = chance(0.1) ? caseVary(req.action) : req.action;
  c.resource = resource;
  c.callerArn = caller;
  c.resourceOwner = owner;
  c.context = [...ctx.values()].map((e) => ({ key: e.key, values: e.values, type: e.type }));
  return c;
}

// ---------------------------------------------------------------------------------------------
// Probes: one minimal hand-written case per known difference between the engines (and a few
// where they agree but AWS's documentation says otherwise, or core rules worth pinning). Their
// notes say what each engine does; docs/iam-differential.md lists them. Probes of behaviour
// where iam-simulate contradicts AWS's documentation are emitted only with --sim-bugs.

function probeCases() {
  const alice = userArn(ACCT_A, 'alice');
  const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const allowIf = (cond, extra = {}) => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*', Condition: cond, ...extra }],
  });
  const allowRes = (resource, version = '2012-10-17', key = 'Resource') => {
    const p = { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'iam:GetUser', 'logs:PutLogEvents'], [key]: resource }] };
    return version ? { Version: version, ...p } : p;
  };
  const ctx = (...entries) => entries.map(([key, type, ...values]) => ({ key, values, type }));
  const get = (extra) => ({
    action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-a/home/alice/notes.txt', callerArn: alice,
    resourceOwner: ACCT_A, context: [], ...extra,
  });
  const P = [];
  const probe = (name, group, note, c) => P.push({ name, group, note, c });

  // -- differences (Portcullis = src/iam/policy, sim = iam-simulate) ----------------------------
  probe('multivalue-no-qualifier', 'diff', 'StringEquals without a set operator on a one-element list key: Portcullis matches any value (allowed); sim never matches a list (implicitDeny)',
    get({ identityPolicies: [allowIf({ StringEquals: { 'aws:TagKeys': 'team' } })], context: ctx(['aws:TagKeys', 'stringList', 'team']) }));
  probe('multivalue-no-qualifier-negated', 'diff', 'Deny with StringNotEquals on a list key: Portcullis: no value equals "x", so the deny applies (explicitDeny); sim: a list never matches (allowed)',
    get({ identityPolicies: [allowAll, { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:TagKeys': 'x' } } }] }], context: ctx(['aws:TagKeys', 'stringList', 'team', 'env']) }));
  probe('empty-list-null', 'diff', 'Null:true on a key given as an empty list: Portcullis treats the empty list as absent (allowed); sim as present (implicitDeny)',
    get({ identityPolicies: [allowIf({ Null: { 'aws:TagKeys': 'true' } })], context: ctx(['aws:TagKeys', 'stringList']) }));
  probe('unresolved-var-negated', 'diff', 'StringNotEquals against ${aws:username} when aws:username is absent: Portcullis: the value matches nothing, so NotEquals holds (allowed); sim: the condition fails (implicitDeny)',
    get({ identityPolicies: [allowIf({ StringNotEquals: { 'aws:PrincipalTag/team': '${aws:username}' } })], context: ctx(['aws:PrincipalTag/team', 'string', 'eng']) }));
  probe('notresource-unresolved-var', 'diff', 'NotResource naming ${aws:username} when it is absent: Portcullis: the entry matches nothing, so NotResource applies (allowed); sim: the statement does not apply (implicitDeny)',
    get({ identityPolicies: [allowRes('arn:aws:s3:::bucket-a/home/${aws:username}/*', '2012-10-17', 'NotResource')], resource: 'arn:aws:s3:::bucket-a/public/index.html' }));
  probe('product-wildcard', 'diff', 'A wildcard inside the resource type (u*r/alice): Portcullis globs the whole resource part (allowed); sim matches the type prefix literally (implicitDeny)',
    get({ action: 'iam:GetUser', resource: userArn(ACCT_A, 'alice'), identityPolicies: [allowRes(`arn:aws:iam::${ACCT_A}:u*r/alice`)] }));
  probe('resource-segment-case', 'diff', 'Resource arn:aws:S3:::…: Portcullis compares the service segment case-sensitively (implicitDeny); sim case-insensitively (allowed)',
    get({ identityPolicies: [allowRes('arn:aws:S3:::bucket-a/*')] }));
  probe('var-from-one-element-list', 'diff', '${aws:TagKeys} with aws:TagKeys = ["team"]: Portcullis substitutes the single value (allowed); sim refuses multivalued keys as variables (implicitDeny)',
    get({ identityPolicies: [allowIf({ StringEquals: { 'aws:PrincipalTag/team': '${aws:TagKeys}' } })], context: ctx(['aws:TagKeys', 'stringList', 'team'], ['aws:PrincipalTag/team', 'string', 'team']) }));
  probe('unicode-ignorecase', 'diff', 'StringEqualsIgnoreCase ÉQUIPE vs équipe: Portcullis folds ASCII only (implicitDeny); sim folds Unicode (allowed)',
    get({ identityPolicies: [allowIf({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'ÉQUIPE' } })], context: ctx(['aws:PrincipalTag/team', 'string', 'équipe']) }));
  probe('unicode-question-mark', 'diff', 'StringLike ?quipe vs équipe: Portcullis ? matches one byte of the two-byte é (implicitDeny); sim one character (allowed)',
    get({ identityPolicies: [allowIf({ StringLike: { 'aws:PrincipalTag/team': '?quipe' } })], context: ctx(['aws:PrincipalTag/team', 'string', 'équipe']) }));
  probe('unicode-question-mark-resource', 'diff', 'Resource …/home/jos?/f vs …/home/josé/f: Portcullis ? is one byte (implicitDeny); sim one character (allowed)',
    get({ identityPolicies: [allowRes('arn:aws:s3:::bucket-a/home/jos?/f')], resource: 'arn:aws:s3:::bucket-a/home/josé/f' }));
  probe('date-fraction', 'diff', 'DateGreaterThan 12:00:00Z vs 12:00:00.500Z: Portcullis drops fractions of a second (equal: implicitDeny); sim keeps them (allowed)',
    get({ identityPolicies: [allowIf({ DateGreaterThan: { 'aws:CurrentTime': '2024-01-15T12:00:00Z' } })], context: ctx(['aws:CurrentTime', 'date', '2024-01-15T12:00:00.500Z']) }));
  probe('notprincipal-deny-boundary', 'diff', 'Resource policy Deny with NotPrincipal naming the caller, caller has a boundary: AWS documents that this always denies; sim does (explicitDeny); Portcullis exempts the caller (allowed)',
    get({ identityPolicies: [allowAll], boundaryPolicies: [allowAll],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: alice }, Action: 's3:*', Resource: 'arn:aws:s3:::bucket-a/*' }] } }));
  probe('session-arn-in-resource-policy', 'diff', 'Session policy allows nothing relevant; resource policy names the session ARN: AWS documents that such a grant is not limited by the session policy; Portcullis allows; sim implicitDeny (not expressible through SimulateCustomPolicy)',
    get({ callerArn: SESSION_A, identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] }],
      sessionPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: SESSION_A }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' }] } }));

  // -- agreements worth pinning (both engines; AWS may differ where noted) ------------------------
  probe('foranyvalue-ifexists-missing', 'agree', 'ForAnyValue:StringEqualsIfExists on a missing key: both engines say false (implicitDeny); the qualifier wins over IfExists',
    get({ identityPolicies: [allowIf({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } })] }));
  probe('forallvalues-missing', 'agree', 'ForAllValues on a missing key is vacuously true (allowed)',
    get({ identityPolicies: [allowIf({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'team' } })] }));
  probe('star-at-segment-end', 'agree', 'arn:aws:logs:*:*:log-stream:s1 vs a log-group:app:log-stream:s1 ARN: both engines keep * inside its segment (implicitDeny); AWS documents that a * ending a segment can match across colons',
    get({ action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${ACCT_A}:log-group:app:log-stream:s1`, identityPolicies: [allowRes('arn:aws:logs:*:*:log-stream:s1')] }));
  probe('escape-star-is-literal', 'agree', '${*} is a literal *: StringLike al${*}ce does not match alice (implicitDeny)',
    get({ identityPolicies: [allowIf({ StringLike: { 'aws:username': 'al${*}ce' } })], context: ctx(['aws:username', 'string', 'alice']) }));
  probe('variable-value-not-a-wildcard', 'agree', 'aws:username = a?ice substituted into a resource must not match …/home/alice/… (implicitDeny)',
    get({ identityPolicies: [allowRes('arn:aws:s3:::bucket-a/home/${aws:username}/*')], context: ctx(['aws:username', 'string', 'a?ice']) }));
  probe('variable-default', 'agree', "${aws:username, 'alice'} uses its default when aws:username is absent (allowed)",
    get({ identityPolicies: [allowRes("arn:aws:s3:::bucket-a/home/${aws:username, 'alice'}/*")] }));
  probe('version-2008-no-variables', 'agree', 'A 2008-10-17 policy without variables evaluates like a 2012-10-17 one (allowed)',
    get({ identityPolicies: [allowRes('arn:aws:s3:::bucket-a/home/*', '2008-10-17')] }));
  probe('cross-account-needs-both', 'agree', 'Cross-account: the resource policy grants the caller but its own identity policies do not (implicitDeny)',
    get({ callerArn: userArn(ACCT_B, 'dave'), identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:*', Resource: '*' }] }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: userArn(ACCT_B, 'dave') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' }] } }));
  probe('same-account-account-principal', 'agree', 'Same account: a resource policy naming the account does not grant by itself (implicitDeny)',
    get({ identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:*', Resource: '*' }] }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCT_A }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' }] } }));
  probe('boundary-bypassed-by-user-grant', 'agree', 'Same account: a resource policy naming the user grants even though the boundary does not allow (allowed)',
    get({ identityPolicies: [allowAll], boundaryPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:*', Resource: '*' }] }],
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' }] } }));

  // -- where iam-simulate contradicts AWS's documentation (only with --sim-bugs) --------------------
  probe('sim-bug-epoch-vs-iso', 'sim-bug', 'DateLessThan 2024-01-01T00:00:00Z vs aws:EpochTime 1705320000 (2024-01-15): sim compares seconds with milliseconds (allowed); Portcullis implicitDeny',
    get({ identityPolicies: [allowIf({ DateLessThan: { 'aws:EpochTime': '2024-01-01T00:00:00Z' } })], context: ctx(['aws:EpochTime', 'date', '1705320000']) }));
  probe('sim-bug-cidr-zero', 'sim-bug', 'IpAddress 0.0.0.0/0: sim shifts by 32 and matches only 0.0.0.0 (implicitDeny); Portcullis allowed',
    get({ identityPolicies: [allowIf({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } })], context: ctx(['aws:SourceIp', 'ip', '192.0.2.10']) }));
  probe('sim-bug-2008-variables', 'sim-bug', 'Variables are literal text in 2008-10-17 policies (AWS docs): Portcullis implicitDeny; sim substitutes (allowed)',
    get({ identityPolicies: [allowRes('arn:aws:s3:::bucket-a/home/${aws:username}/*', '2008-10-17')], context: ctx(['aws:username', 'string', 'alice']) }));
  probe('sim-bug-bare-ip-other-family', 'sim-bug', 'NotIpAddress 192.0.2.10 vs 2001:db8::1: the address is not in 192.0.2.10/32, Portcullis allowed; sim implicitDeny',
    get({ identityPolicies: [allowIf({ NotIpAddress: { 'aws:SourceIp': '192.0.2.10' } })], context: ctx(['aws:SourceIp', 'ip', '2001:db8::1']) }));
  probe('sim-bug-ipv6-text', 'sim-bug', 'IpAddress 2001:DB8::1 vs 2001:db8::1 (the same address): Portcullis allowed; sim compares text (implicitDeny)',
    get({ identityPolicies: [allowIf({ IpAddress: { 'aws:SourceIp': '2001:DB8::1' } })], context: ctx(['aws:SourceIp', 'ip', '2001:db8::1']) }));
  probe('sim-bug-arn-whole-variable', 'sim-bug', 'ArnEquals ${aws:PrincipalArn} against an equal aws:SourceArn: Portcullis allowed; sim splits the value before substituting (implicitDeny)',
    get({ identityPolicies: [allowIf({ ArnEquals: { 'aws:SourceArn': '${aws:PrincipalArn}' } })], context: ctx(['aws:PrincipalArn', 'string', alice], ['aws:SourceArn', 'string', alice]) }));
  probe('sim-bug-numeric-exponent', 'sim-bug', 'NumericEquals 1000 vs aws:MultiFactorAuthAge 1e3: Portcullis (strtod) allowed; sim parseInt reads 1 (implicitDeny)',
    get({ identityPolicies: [allowIf({ NumericEquals: { 'aws:MultiFactorAuthAge': '1000' } })], context: ctx(['aws:MultiFactorAuthAge', 'numeric', '1e3']) }));
  probe('unverified-default-without-space', 'sim-bug', "${aws:username,'eng'} (no space): Portcullis takes the default (allowed); sim needs \", '\" and finds no value (implicitDeny); AWS's rule is undocumented",
    get({ identityPolicies: [allowIf({ StringEquals: { 'aws:PrincipalTag/team': "${aws:username,'eng'}" } })], context: ctx(['aws:PrincipalTag/team', 'string', 'eng']) }));
  probe('unverified-empty-default', 'sim-bug', "${aws:username, ''}: Portcullis substitutes the empty string (allowed); sim treats an empty default as none (implicitDeny)",
    get({ identityPolicies: [allowIf({ StringEquals: { 'aws:PrincipalTag/team': "x${aws:username, ''}" } })], context: ctx(['aws:PrincipalTag/team', 'string', 'x']) }));
  probe('unverified-empty-value-variable', 'sim-bug', 'aws:username = "" substituted: Portcullis uses the empty value (allowed); sim treats an empty value as missing (implicitDeny)',
    get({ identityPolicies: [allowIf({ StringEquals: { 'aws:PrincipalTag/team': 'x${aws:username}' } })], context: ctx(['aws:username', 'string', ''], ['aws:PrincipalTag/team', 'string', 'x']) }));
  probe('unverified-binary-variable', 'sim-bug', 'BinaryEquals ${aws:username}: Portcullis substitutes variables (allowed); sim compares the text as written (implicitDeny)',
    get({ identityPolicies: [allowIf({ BinaryEquals: { 'aws:RequestTag/blob': '${aws:username}' } })], context: ctx(['aws:username', 'string', 'aGVsbG8='], ['aws:RequestTag/blob', 'binary', 'aGVsbG8=']) }));

  const out = [];
  for (const { name, group, note, c } of P) {
    if (group === 'sim-bug' && !SIM_BUGS) continue;
    if (c.sessionPolicies && !SESSIONS) continue;
    for (const p of c.identityPolicies) validateForPortcullis(p, 'identity');
    for (const p of c.boundaryPolicies || []) validateForPortcullis(p, 'identity');
    for (const p of c.sessionPolicies || []) validateForPortcullis(p, 'identity');
    if (c.resourcePolicy) validateForPortcullis(c.resourcePolicy, 'resource');
    const tags = ['probe', `probe-group:${group}`];
    if (c.sessionPolicies) tags.push('session');
    out.push({ id: `p-${name}`, tags, note, ...c });
  }
  return out;
}

const out = [];
for (let i = 0; i < COUNT; i++) out.push(JSON.stringify(makeCase(i)));
if (!opt('--no-probes', false)) for (const p of probeCases()) out.push(JSON.stringify(p));
process.stdout.write('[\n' + out.join(',\n') + '\n]\n');
