#!/usr/bin/env node
// A line-by-line JavaScript model of Portcullis's policy evaluation (src/iam/policy/parse.cc,
// evaluate.cc, wildcard.cc, as of the commit that added this file), for triage only: it predicts
// which differential cases Portcullis will decide differently from iam-simulate, and why, before
// (or without) running the real server. The C++ is the thing under test, not this file; when
// they disagree, the C++ wins and this model is stale.
//
//   node portcullis_model.mjs cases.json expected.json [--details N]
//   node portcullis_model.mjs --explain cases.json mismatches.json
//
// The first form prints the model's decision distribution, how many cases each iam-simulate
// behaviour would change, and its disagreements with expected.json attributed to those
// behaviours (SWITCHES), with N examples. The second explains a real run's disagreements.

import { readFileSync } from 'node:fs';

// iam-simulate compatibility switches (ctx.compat): each one makes the model behave like
// iam-simulate on one point where the two differ, so a disagreement can be attributed to the
// switch that removes it. Off by default: the model is Portcullis.
export const SWITCHES = {
  'multivalue-no-qualifier': 'operator without ForAllValues/ForAnyValue on a multivalued (list) key never matches',
  'empty-list-is-present': 'an empty list value is a present key (Null, unqualified operators)',
  'unresolved-var-negated': 'a negated operator with a policy value whose variable has no value is false',
  'notresource-unresolved-var': 'NotResource with an entry whose variable has no value does not match',
  'product-literal': 'the resource-type prefix of a policy ARN (user/, table/, function:) is matched literally',
  'resource-segment-case': 'partition, service, region and account of Resource ARNs match case-insensitively',
  'arn-whole-var': 'an Arn* condition value is split into ARN parts before variables are substituted',
  'var-list-single': 'a variable naming a multivalued key has no value even with one element',
  'ip-bare-other-family': 'a bare IP policy value against an address of the other family is an error (negated ops false)',
  'unicode-case-and-chars': 'IgnoreCase is Unicode case-insensitive; ? matches one UTF-16 unit, not one byte',
  'date-milliseconds': 'fractional seconds in dates are kept',
  'notprincipal-deny-boundary': 'a Deny with NotPrincipal in a resource policy applies to any principal with a boundary',
  'session-gates-everything': 'a session policy that does not allow denies even a resource policy naming the session',
  // iam-simulate behaviour that contradicts AWS's documentation (probes only with --sim-bugs):
  'old-version-variables': 'policy variables are substituted in 2008-10-17 and unversioned policies too',
  'date-epoch-units': 'an epoch date is compared in seconds with ISO dates in milliseconds',
  'ipv4-cidr-zero': 'an IPv4 /0 matches only 0.0.0.0',
  'ip-bare-text': 'a bare IP policy value is compared as text',
  'numeric-parseint': 'numbers without a dot are read with parseInt (1e3 is 1)',
  'default-needs-comma-space': "a variable's default needs exactly \", '\"",
  'empty-default-none': "an empty default ('') counts as no default",
  'empty-value-none': 'an empty context value substituted into a variable counts as missing',
  'binary-no-variables': 'BinaryEquals values are compared as written, without variables',
};
const has = (ctx, name) => !!ctx.compat && ctx.compat.has(name);

// -- wildcard.cc -------------------------------------------------------------------------------
// Byte-wise, as the C++ (std::string_view of UTF-8): '?' matches one byte, case folding is ASCII.
const enc = new TextEncoder();
const fold = (c, ic) => (ic && c >= 65 && c <= 90 ? c + 32 : c);
export function wildcardMatch(pattern, text, ignoreCase, escapes = false) {
  const p = typeof pattern === 'string' ? enc.encode(pattern) : pattern;
  const t = typeof text === 'string' ? enc.encode(text) : text;
  let pi = 0, ti = 0, star = -1, mark = 0;
  const Q = 63, S = 42, B = 92;
  while (ti < t.length) {
    const escaped = escapes && pi + 1 < p.length && p[pi] === B;
    const pc = pi < p.length ? p[escaped ? pi + 1 : pi] : 0;
    if (pi < p.length && ((!escaped && pc === Q) || fold(pc, ignoreCase) === fold(t[ti], ignoreCase))) {
      pi += escaped ? 2 : 1;
      ++ti;
    } else if (pi < p.length && !escaped && pc === S) {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === S) ++pi;
  return pi === p.length;
}
export function arnMatch(pattern, arn, escapes = false, utf16 = false) {
  const units = (x) => (utf16 ? Uint16Array.from({ length: x.length }, (_, i) => x.charCodeAt(i)) : x);
  if (pattern === '*') return true;
  let ps = pattern, as = arn;
  const take = (s) => {
    const i = s.indexOf(':');
    return i === -1 ? [s, '', false] : [s.slice(0, i), s.slice(i + 1), true];
  };
  for (let i = 0; i < 5; i++) {
    const [pseg, prest, pf] = take(ps);
    const [aseg, arest, af] = take(as);
    ps = prest;
    as = arest;
    if (!pf || !af) return !pf && !af && wildcardMatch(units(pseg), units(aseg), false, escapes);
    if (!wildcardMatch(units(pseg), units(aseg), false, escapes)) return false;
  }
  return wildcardMatch(units(ps), units(as), false, escapes);
}

// -- parse.cc: Template ------------------------------------------------------------------------
export function compileTemplate(text, variables, compat) {
  const t = { text, parts: [] };
  if (!variables || !text.includes('${')) return t;
  let literal = '';
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf('${', pos);
    const close = open === -1 ? -1 : text.indexOf('}', open + 2);
    if (open === -1 || close === -1) {
      literal += text.slice(pos);
      break;
    }
    literal += text.slice(pos, open);
    const body = text.slice(open + 2, close);
    pos = close + 1;
    if (body === '*' || body === '?' || body === '$') {
      if (literal) t.parts.push({ kind: 'literal', text: literal });
      literal = '';
      t.parts.push({ kind: 'escape', text: body });
      continue;
    }
    if (compat && compat.has('default-needs-comma-space')) {
      // iam-simulate: split on ", "; two parts and a quoted second part give a default.
      const parts = body.split(', ');
      let fb;
      if (parts.length === 2 && parts[1].startsWith("'") && parts[1].endsWith("'")) fb = parts[1].slice(1, -1);
      if (literal) t.parts.push({ kind: 'literal', text: literal });
      literal = '';
      t.parts.push({ kind: 'variable', text: parts[0].trim().toLowerCase(), fallback: fb });
      continue;
    }
    const comma = body.indexOf(',');
    let key = (comma === -1 ? body : body.slice(0, comma)).replace(/ +$/, '');
    let fallback;
    if (comma !== -1) {
      const d = body.slice(comma + 1).replace(/^ +/, '').replace(/ +$/, '');
      if (d.length < 2 || d[0] !== "'" || d[d.length - 1] !== "'") {
        literal += text.slice(open, close + 1);
        continue;
      }
      fallback = d.slice(1, -1);
    }
    if (!key) {
      literal += text.slice(open, close + 1);
      continue;
    }
    if (literal) t.parts.push({ kind: 'literal', text: literal });
    literal = '';
    t.parts.push({ kind: 'variable', text: key.toLowerCase(), fallback });
  }
  if (literal) t.parts.push({ kind: 'literal', text: literal });
  return t;
}
const dynamic = (t) => t.parts.length > 0;
export function expandTemplate(t, ctx, glob) {
  let out = '';
  const lit = (v) => {
    for (const c of v) out += glob && (c === '*' || c === '?' || c === '\\') ? '\\' + c : c;
  };
  for (const p of t.parts) {
    if (p.kind === 'literal') {
      for (const c of p.text) out += glob && c === '\\' ? '\\\\' : c;
    } else if (p.kind === 'escape') {
      lit(p.text);
    } else {
      const v = ctx.keys.get(p.text);
      let single = v && v.length === 1 && !(has(ctx, 'var-list-single') && ctx.listKeys.has(p.text));
      if (single && v[0] === '' && has(ctx, 'empty-value-none')) single = false;
      const fallback = p.fallback === '' && has(ctx, 'empty-default-none') ? undefined : p.fallback;
      if (single) lit(v[0]);
      else if (fallback !== undefined) lit(fallback);
      else return null;
    }
  }
  return out;
}

// -- parse.cc: values --------------------------------------------------------------------------
function strtodFull(s) {
  // std::strtod over the whole string: leading spaces allowed, nothing after the number.
  if (s === '' || /\s$/.test(s)) return null;
  const m = s.replace(/^\s+/, '');
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|inf(inity)?|nan)$/i.test(m)) return null;
  const n = /^[+-]?0[xX]/.test(m) ? (m.startsWith('-') ? -1 : 1) * parseInt(m.replace(/^[+-]?0[xX]/, ''), 16)
    : /inf/i.test(m) ? (m.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(m) ? NaN : Number(m);
  return n;
}
export function parsePolicyDate(s) {
  if (!s) return null;
  if (/^[0-9]+$/.test(s)) return s.length > 15 ? null : Number(s) * 1000;
  let t = s;
  if (t.length === 10) t += 'T00:00:00Z';
  if (t.length < 20 || t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':' || t[16] !== ':') return null;
  const num = (a, n) => (/^[0-9]+$/.test(t.slice(a, a + n)) ? Number(t.slice(a, a + n)) : null);
  const f = [num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)];
  if (f.some((x) => x === null)) return null;
  let rest = t.slice(19);
  if (rest[0] === '.') {
    let i = 1;
    while (i < rest.length && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest = rest.slice(i);
  }
  if (rest !== 'Z') return null;
  const [y, mo, d, h, mi, se] = f;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}
function parseIpv6(s) {
  // inet_pton(AF_INET6) for the forms the generator uses: hex groups and at most one '::'
  // (an embedded dotted quad is not modelled and is rejected here).
  if (!/^[0-9A-Fa-f:]+$/.test(s)) return null;
  const dbl = s.split('::');
  if (dbl.length > 2) return null;
  const grp = (x) => (x === '' ? [] : x.split(':'));
  const h = grp(dbl[0]);
  const r = dbl.length === 2 ? grp(dbl[1]) : [];
  if ([...h, ...r].some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  let full;
  if (dbl.length === 2) {
    if (h.length + r.length > 7) return null;
    full = [...h, ...new Array(8 - h.length - r.length).fill('0'), ...r];
  } else {
    if (h.length !== 8) return null;
    full = h;
  }
  const bytes = [];
  for (const g of full.map((x) => parseInt(x, 16))) bytes.push(g >> 8, g & 255);
  return bytes;
}
function parseIpv4(s) {
  const m = s.split('.');
  if (m.length !== 4) return null;
  const out = [];
  for (const o of m) {
    if (!/^[0-9]{1,3}$/.test(o) || (o.length > 1 && o[0] === '0') || Number(o) > 255) return null;
    out.push(Number(o));
  }
  return out;
}
export function parseIpNetwork(text) {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  let family, bytes, max;
  if ((bytes = parseIpv4(addr))) { family = 4; max = 32; }
  else if ((bytes = parseIpv6(addr))) { family = 6; max = 128; }
  else return null;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!p || p.length > 3 || !/^[0-9]+$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  return { family, bytes, prefix };
}
function ipInNetwork(net, addr) {
  if (net.family !== addr.family) return false;
  let bits = net.prefix;
  for (let i = 0; bits > 0; ++i, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((net.bytes[i] & mask) !== (addr.bytes[i] & mask)) return false;
  }
  return true;
}
const iequals = (a, b) => a.length === b.length && a.replace(/[A-Z]/g, (c) => c.toLowerCase()) === b.replace(/[A-Z]/g, (c) => c.toLowerCase());

const NEGATED = { StringNotEquals: 'StringEquals', StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike', NumericNotEquals: 'NumericEquals', DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress', ArnNotEquals: 'ArnEquals', ArnNotLike: 'ArnLike' };
const OPS = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase',
  'StringLike', 'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals',
  'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateEquals', 'DateNotEquals', 'DateLessThan',
  'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress',
  'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null']);

function conditionString(v) {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    // boost::json::serialize of a double: shortest round-trip digits in exponent form.
    const [m, e] = v.toExponential().split('e');
    return `${m}E${Number(e)}`;
  }
  return v;
}

export function parsePolicy(doc, kind, compat) {
  const version = doc.Version ?? '';
  const variables = version === '2012-10-17' || (!!compat && compat.has('old-version-variables'));
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).map((s) => {
    const st = { effect: s.Effect };
    st.notAction = 'NotAction' in s;
    st.actions = [s.Action ?? s.NotAction].flat().map((a) => a.toLowerCase());
    st.hasResource = 'Resource' in s || 'NotResource' in s;
    st.notResource = 'NotResource' in s;
    st.resources = st.hasResource ? [s.Resource ?? s.NotResource].flat().map((r) => compileTemplate(r, variables, compat)) : [];
    st.hasPrincipal = 'Principal' in s || 'NotPrincipal' in s;
    st.notPrincipal = 'NotPrincipal' in s;
    if (st.hasPrincipal) {
      const p = s.Principal ?? s.NotPrincipal;
      const set = { any: false, aws: [], federated: [], service: [] };
      if (typeof p === 'string') set.any = true;
      else for (const [type, v] of Object.entries(p)) for (const x of [v].flat()) {
        if (type === 'AWS') { if (x === '*') set.any = true; else set.aws.push(x); }
        else if (type === 'Federated') set.federated.push(x);
        else if (type === 'Service') { if (x === '*') set.any = true; else set.service.push(x); }
      }
      st.principals = set;
    }
    st.conditions = [];
    for (const [name0, block] of Object.entries(s.Condition || {})) {
      let name = name0;
      let set = 'none';
      if (name.startsWith('ForAllValues:')) { set = 'all'; name = name.slice(13); }
      else if (name.startsWith('ForAnyValue:')) { set = 'any'; name = name.slice(12); }
      let ifExists = false;
      if (name.endsWith('IfExists') && name !== 'Null') { ifExists = true; name = name.slice(0, -8); }
      if (!OPS.has(name)) throw new Error(`Portcullis would reject operator ${name0}`);
      for (const [key, vals] of Object.entries(block)) {
        const values = [vals].flat().map(conditionString).map((text) => {
          const cv = { text: compileTemplate(text, variables, compat) };
          if (name.startsWith('Numeric')) cv.number = strtodFull(text);
          if (name.startsWith('Date')) cv.epoch = parsePolicyDate(text);
          if (name === 'Bool' || name === 'Null') cv.boolean = iequals(text, 'true');
          if (name.endsWith('IpAddress')) cv.network = parseIpNetwork(text);
          if ((name.startsWith('Numeric') && (cv.number === null || !Number.isFinite(cv.number))) ||
              (name.startsWith('Date') && cv.epoch === null) || (name.endsWith('IpAddress') && !cv.network) ||
              ((name === 'Bool' || name === 'Null') && !/^(true|false)$/i.test(text)))
            throw new Error(`Portcullis would reject value ${text} for ${name0}`);
          return cv;
        });
        st.conditions.push({ op: name, set, ifExists, key: key.toLowerCase(), values });
      }
    }
    return st;
  });
  return { version, variables, statements };
}

// -- evaluate.cc -------------------------------------------------------------------------------
const usesGlob = (op) => op === 'StringLike' || op === 'ArnEquals' || op === 'ArnLike';
function valueText(v, op, ctx) {
  if (!dynamic(v.text)) return v.text.text;
  return expandTemplate(v.text, ctx, usesGlob(op));
}
function valueMatches(op, pv, cv, ctx) {
  switch (op) {
    case 'StringEquals': case 'StringEqualsIgnoreCase': case 'StringLike': case 'BinaryEquals':
    case 'ArnEquals': case 'ArnLike': {
      const t = op === 'BinaryEquals' && has(ctx, 'binary-no-variables') ? pv.text.text : valueText(pv, op, ctx);
      if (t === null) return false;
      if (op === 'StringEquals' || op === 'BinaryEquals') return t === cv;
      if ((op === 'ArnEquals' || op === 'ArnLike') && has(ctx, 'arn-whole-var') && pv.text.text.split(':').length < 6) return false;
      if (op === 'StringEqualsIgnoreCase') {
        if (has(ctx, 'unicode-case-and-chars')) return t.toUpperCase() === cv.toUpperCase() || t.toLowerCase() === cv.toLowerCase();
        return iequals(t, cv);
      }
      if (op === 'StringLike') {
        if (has(ctx, 'unicode-case-and-chars')) {
          const u = (x) => Uint16Array.from({ length: x.length }, (_, i) => x.charCodeAt(i));
          return wildcardMatch(u(t), u(cv), false, dynamic(pv.text));
        }
        return wildcardMatch(t, cv, false, dynamic(pv.text));
      }
      return arnMatch(t, cv, dynamic(pv.text));
    }
    case 'NumericEquals': case 'NumericLessThan': case 'NumericLessThanEquals':
    case 'NumericGreaterThan': case 'NumericGreaterThanEquals': {
      if (!cv || cv.length >= 64) return false;
      let n = strtodFull(cv);
      if (has(ctx, 'numeric-parseint')) {
        const simNum = (x) => { const r = x.includes('.') ? parseFloat(x) : parseInt(x, 10); return Number.isNaN(r) ? null : r; };
        n = simNum(cv);
        pv = { ...pv, number: simNum(pv.text.text) };
        if (pv.number === null) return false;
      }
      if (n === null) return false;
      if (op === 'NumericEquals') return n === pv.number;
      if (op === 'NumericLessThan') return n < pv.number;
      if (op === 'NumericLessThanEquals') return n <= pv.number;
      if (op === 'NumericGreaterThan') return n > pv.number;
      return n >= pv.number;
    }
    case 'DateEquals': case 'DateLessThan': case 'DateLessThanEquals': case 'DateGreaterThan':
    case 'DateGreaterThanEquals': {
      let t = parsePolicyDate(cv);
      if (t === null) return false;
      let pe = pv.epoch;
      if (has(ctx, 'date-epoch-units')) {
        // Integers stay seconds while ISO dates are milliseconds.
        if (/^[0-9]+$/.test(cv)) t = Number(cv);
        if (/^[0-9]+$/.test(pv.text.text)) pe = Number(pv.text.text);
      }
      if (has(ctx, 'date-milliseconds')) {
        const ms = (x) => { const m = /\.(\d+)Z$/.exec(x); return m ? Math.floor(Number('0.' + m[1]) * 1000) : 0; };
        t += ms(cv);
        pe += ms(pv.text.text);
      }
      if (op === 'DateEquals') return t === pe;
      if (op === 'DateLessThan') return t < pe;
      if (op === 'DateLessThanEquals') return t <= pe;
      if (op === 'DateGreaterThan') return t > pe;
      return t >= pe;
    }
    case 'Bool':
      if (iequals(cv, 'true')) return pv.boolean;
      if (iequals(cv, 'false')) return !pv.boolean;
      return false;
    case 'IpAddress': {
      const a = parseIpNetwork(cv);
      if (has(ctx, 'ip-bare-text') && !pv.text.text.includes('/')) return pv.text.text === cv;
      if (has(ctx, 'ipv4-cidr-zero') && a && pv.network.family === 4 && pv.network.prefix === 0)
        return a.family === 4 && a.bytes.every((b, i) => b === pv.network.bytes[i]);
      return !!a && ipInNetwork(pv.network, a);
    }
    default:
      return false;
  }
}
// iam-simulate: the policy values that make a negated operator false whatever the request value.
function poisoned(c, pv, cv, ctx) {
  const op = NEGATED[c.op] || c.op;
  if (has(ctx, 'unresolved-var-negated') && dynamic(pv.text) && expandTemplate(pv.text, ctx, usesGlob(op)) === null) return true;
  if (has(ctx, 'arn-whole-var') && (op === 'ArnEquals' || op === 'ArnLike') && pv.text.text.split(':').length < 6) return true;
  if (has(ctx, 'ip-bare-other-family') && op === 'IpAddress' && !pv.text.text.includes('/')) {
    const a = parseIpNetwork(cv);
    if (!a || a.family !== pv.network.family) return true;
  }
  return false;
}
function conditionHolds(c, ctx) {
  const values = ctx.keys.get(c.key);
  const list = ctx.listKeys.has(c.key);
  let present = !!values && values.length > 0;
  if (has(ctx, 'empty-list-is-present') && values && list) present = true;
  if (c.op === 'Null') return c.values.some((v) => v.boolean !== present);
  if (!present) {
    if (c.set === 'all') return true;
    if (c.set === 'any') return false;
    if (c.ifExists) return true;
    return c.op in NEGATED;
  }
  if (list && c.set === 'none') {
    if (values.length === 0) return false; // present only under empty-list-is-present
    if (has(ctx, 'multivalue-no-qualifier')) return false;
  }
  const negated = c.op in NEGATED;
  const op = NEGATED[c.op] || c.op;
  const m = (cv) => c.values.some((pv) => valueMatches(op, pv, cv, ctx));
  // Per request value: the operator's result (negated ones false when a value is poisoned).
  const f = (cv) => (negated ? !m(cv) && !c.values.some((pv) => poisoned(c, pv, cv, ctx)) : m(cv));
  if (c.set === 'all') return values.every(f);
  if (c.set === 'any') return values.some(f);
  return negated ? values.every(f) : values.some(f);
}
const actionMatches = (s, action) => {
  const any = s.actions.some((a) => wildcardMatch(a, action, true));
  return s.notAction ? !any : any;
};
// iam-simulate's split of an ARN's resource part into the resource-type prefix and the rest.
function simProduct(pattern) {
  const parts = pattern.split(':');
  const tail = parts.slice(5).join(':');
  if (parts[2] === 's3' && parts[3] === '' && parts[4] === '') return '';
  const slash = tail.indexOf('/');
  const colon = tail.indexOf(':');
  const cut = slash !== -1 && colon !== -1 ? Math.min(slash, colon) + 1 : colon === -1 ? slash + 1 : colon + 1;
  return tail.slice(0, cut);
}
const lowerHead = (arn) => {
  const p = arn.split(':');
  return p.length < 6 ? arn : [p[0], ...p.slice(1, 5).map((x) => x.toLowerCase()), ...p.slice(5)].join(':');
};
function resourceEntryMatches(r, ctx) {
  let pattern = r.text;
  let resource = ctx.resource;
  if (has(ctx, 'product-literal') && pattern !== '*' && resource !== '*') {
    const product = simProduct(pattern);
    if (!resource.split(':').slice(5).join(':').startsWith(product)) return false;
  }
  if (has(ctx, 'resource-segment-case')) {
    resource = lowerHead(resource);
    r = compileTemplate(lowerHead(pattern), dynamic(r));
  }
  const chars = has(ctx, 'unicode-case-and-chars');
  if (!dynamic(r)) return arnMatch(r.text, resource, false, chars);
  const x = expandTemplate(r, ctx, true);
  return x !== null && arnMatch(x, resource, true, chars);
}
function resourceMatches(s, ctx) {
  if (!s.hasResource) return true;
  if (s.notResource && has(ctx, 'notresource-unresolved-var')) {
    for (const r of s.resources) {
      if (dynamic(r) && expandTemplate(r, ctx, true) === null) {
        const head = r.text.split(':').slice(0, 5).join(':');
        if (!head.includes('${') && arnMatch(head + ':*', ctx.resource)) return false;
      }
    }
  }
  const any = s.resources.some((r) => resourceEntryMatches(r, ctx));
  return s.notResource ? !any : any;
}
function isRootOf(entry, account) {
  if (entry === account) return true;
  return entry.startsWith('arn:') && entry.endsWith(':root') &&
    entry.length === 'arn:aws:iam::'.length + account.length + 5 &&
    entry.slice(entry.length - 5 - account.length, entry.length - 5) === account;
}
const RANK = { none: 0, account: 1, role: 2, exact: 3 };
function matchPrincipal(set, caller) {
  if (set.any) return 'exact';
  let best = 'none';
  for (const a of set.aws) {
    if (caller.arn && a === caller.arn) return 'exact';
    if (caller.roleArn && a === caller.roleArn) best = 'role';
    if (best === 'none' && caller.account && isRootOf(a, caller.account)) best = 'account';
  }
  if (caller.service && set.service.includes(caller.service)) return 'exact';
  return best;
}
function statementApplies(s, ctx, how) {
  if (!actionMatches(s, ctx.action)) return false;
  if (!resourceMatches(s, ctx)) return false;
  if (s.hasPrincipal) {
    let m = matchPrincipal(s.principals, ctx.principal);
    if (s.notPrincipal && s.effect === 'Deny' && ctx.hasBoundary && has(ctx, 'notprincipal-deny-boundary')) {
      m = 'exact';
    } else if (s.notPrincipal) {
      if (m !== 'none') return false;
      m = 'exact';
    } else if (m === 'none') {
      return false;
    }
    if (how && RANK[m] > RANK[how.value]) how.value = m;
  }
  return s.conditions.every((c) => conditionHolds(c, ctx));
}
function evaluatePolicy(p, ctx) {
  let d = 'na';
  for (const s of p.statements) {
    if (!statementApplies(s, ctx)) continue;
    if (s.effect === 'Deny') return 'deny';
    d = 'allow';
  }
  return d;
}
function combine(ps, ctx) {
  let d = 'na';
  for (const p of ps) {
    const e = evaluatePolicy(p, ctx);
    if (e === 'deny') return 'deny';
    if (e === 'allow') d = 'allow';
  }
  return d;
}
export function decide(c, compat) {
  const account = c.callerArn.split(':')[4];
  const roleMatch = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(c.callerArn);
  const ctx = {
    action: c.action,
    resource: c.resource,
    principal: { arn: c.callerArn, account, roleArn: roleMatch ? `arn:aws:iam::${roleMatch[1]}:role/${roleMatch[2]}` : '' },
    keys: new Map(),
    listKeys: new Set(),
    compat,
    hasBoundary: !!(c.boundaryPolicies && c.boundaryPolicies.length),
  };
  for (const e of c.context || []) {
    ctx.keys.set(e.key.toLowerCase(), [...e.values]);
    if (e.type.endsWith('List')) ctx.listKeys.add(e.key.toLowerCase());
  }
  const identity = combine(c.identityPolicies.map((p) => parsePolicy(p, 'identity', compat)), ctx);
  const hasBoundary = !!(c.boundaryPolicies && c.boundaryPolicies.length);
  const boundary = hasBoundary ? combine(c.boundaryPolicies.map((p) => parsePolicy(p, 'identity', compat)), ctx) : 'na';
  const hasSession = !!(c.sessionPolicies && c.sessionPolicies.length);
  const session = hasSession ? combine(c.sessionPolicies.map((p) => parsePolicy(p, 'identity', compat)), ctx) : 'na';
  let resource = 'na';
  const how = { value: 'none' };
  if (c.resourcePolicy) {
    let allow = false, deny = false;
    for (const s of parsePolicy(c.resourcePolicy, 'resource', compat).statements) {
      const m = { value: 'none' };
      if (!statementApplies(s, ctx, m)) continue;
      if (s.effect === 'Deny') deny = true;
      else {
        allow = true;
        if (RANK[m.value] > RANK[how.value]) how.value = m.value;
      }
    }
    resource = deny ? 'deny' : allow ? 'allow' : 'na';
  }
  if ([identity, resource, boundary, session].includes('deny')) return 'explicitDeny';
  const boundaryOk = !hasBoundary || boundary === 'allow';
  const sessionOk = !hasSession || session === 'allow';
  let allowed;
  if (hasSession && session !== 'allow' && has(ctx, 'session-gates-everything')) {
    allowed = false;
  } else if (c.resourceOwner !== account) {
    allowed = identity === 'allow' && resource === 'allow' && boundaryOk && sessionOk;
  } else if (resource === 'allow' && how.value === 'exact') {
    allowed = true;
  } else {
    const resourceCounts = resource === 'allow' && how.value === 'role';
    allowed = (identity === 'allow' || resourceCounts) && boundaryOk && sessionOk;
  }
  return allowed ? 'allowed' : 'implicitDeny';
}

// -- CLI ---------------------------------------------------------------------------------------
// Attributes each disagreement to the compatibility switch(es) that remove it: single switches
// first, then pairs; what no switch explains is "unexplained" (a difference not yet understood).
export function attribute(c, sim) {
  const names = Object.keys(SWITCHES);
  const singles = names.filter((n) => decide(c, new Set([n])) === sim);
  if (singles.length) return singles;
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++)
      if (decide(c, new Set([names[i], names[j]])) === sim) return [`${names[i]}+${names[j]}`];
  if (decide(c, new Set(names)) === sim) return ['several'];
  return ['unexplained'];
}

// --explain CASES MISMATCHES: MISMATCHES is [{id, iamSimulate, portcullis}] from a real run
// (tests/integration/test_iam_differential.py); prints the known cause of each, and where the
// real server and this model disagree (the model is stale, or something new changed).
function explain(casesFile, mismatchesFile) {
  const cases = new Map(JSON.parse(readFileSync(casesFile, 'utf8')).map((c) => [c.id, c]));
  const mismatches = JSON.parse(readFileSync(mismatchesFile, 'utf8'));
  const causes = new Map();
  const stale = [];
  for (const m of mismatches) {
    const c = cases.get(m.id);
    if (!c) continue;
    if (decide(c) !== m.portcullis) {
      stale.push(`${m.id} (server ${m.portcullis}, model ${decide(c)})`);
      continue;
    }
    for (const k of attribute(c, m.iamSimulate)) {
      if (!causes.has(k)) causes.set(k, []);
      causes.get(k).push(m.id);
    }
  }
  console.log(`Known causes (portcullis_model.mjs switches; docs/iam-differential.md):`);
  for (const [k, ids] of [...causes].sort((a, b) => b[1].length - a[1].length)) {
    const what = k.split('+').map((x) => SWITCHES[x] || x).join(' AND ');
    console.log(`  ${String(ids.length).padStart(4)}  ${k}: ${what}\n        ${ids.slice(0, 8).join(' ')}${ids.length > 8 ? ' …' : ''}`);
  }
  if (stale.length)
    console.log(`  ${String(stale.length).padStart(4)}  server differs from the model of Portcullis (model stale, or a new difference): ${stale.slice(0, 8).join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === '--explain') {
  explain(process.argv[3], process.argv[4]);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const di = argv.indexOf('--details');
  const details = di === -1 ? 0 : parseInt(argv[di + 1], 10);
  const files = argv.filter((a, i) => !a.startsWith('--') && !(di !== -1 && i === di + 1));
  const cases = JSON.parse(readFileSync(files[0], 'utf8'));
  const expected = files[1] ? JSON.parse(readFileSync(files[1], 'utf8')).decisions : null;
  const counts = { allowed: 0, explicitDeny: 0, implicitDeny: 0 };
  const mismatches = [];
  const exposure = Object.fromEntries(Object.keys(SWITCHES).map((n) => [n, 0]));
  for (const c of cases) {
    const d = decide(c);
    counts[d]++;
    for (const n of Object.keys(SWITCHES)) if (decide(c, new Set([n])) !== d) exposure[n]++;
    if (expected && expected[c.id] && expected[c.id] !== d) mismatches.push({ c, model: d, sim: expected[c.id] });
  }
  console.log(`model of Portcullis: ${cases.length} cases: ${JSON.stringify(counts)}`);
  console.log('cases whose decision each iam-simulate behaviour would change (exposure):');
  for (const [n, k] of Object.entries(exposure)) console.log(`  ${n.padEnd(28)} ${String(k).padStart(5)}  ${SWITCHES[n]}`);
  if (expected) {
    const missing = cases.filter((c) => !(c.id in expected)).length;
    console.log(`disagreements with iam-simulate: ${mismatches.length} of ${cases.length - missing}`);
    const causes = new Map();
    for (const m of mismatches) {
      m.causes = attribute(m.c, m.sim);
      for (const k of m.causes) {
        if (!causes.has(k)) causes.set(k, []);
        causes.get(k).push(m.c.id);
      }
    }
    for (const [k, ids] of [...causes].sort((a, b) => b[1].length - a[1].length))
      console.log(`  ${k.padEnd(40)} ${String(ids.length).padStart(4)}  e.g. ${ids.slice(0, 4).join(' ')}`);
    const kinds = new Map();
    for (const m of mismatches) kinds.set(`sim=${m.sim} model=${m.model}`, (kinds.get(`sim=${m.sim} model=${m.model}`) || 0) + 1);
    console.log('  ' + JSON.stringify(Object.fromEntries(kinds)));
    for (const m of mismatches.slice(0, details)) {
      console.log(`\n${m.c.id} sim=${m.sim} model=${m.model} causes=${m.causes.join(',')}`);
      console.log(JSON.stringify({ ...m.c, tags: undefined }));
    }
  }
}
