#!/usr/bin/env node
/*
 * The real, unmodified node-soap client (npm package `soap`, pinned in package.json) drives
 * every operation of UserService, CatalogService, OrderService and AuthService over SOAP 1.1
 * and over SOAP 1.2, loading each service's ?wsdl from a running Soapstone server, and reads the detail
 * of each declared typed fault.
 *
 *     SOAPSTONE_USERNAME=admin SOAPSTONE_PASSWORD=... SOAPSTONE_DIGEST_SECRET=... \
 *         node tests/interop/node/client_test.js http://127.0.0.1:8080
 *
 * Every operation needs credentials: every client authenticates with node-soap's own
 * WS-Security, client.setSecurity(new soap.WSSecurity(user, password, { passwordType:
 * 'PasswordText' })) (which also sends a wsu:Timestamp and the token's Created); the WS-Security
 * checks use its PasswordDigest (with the digest secret) and a wrong password. The session
 * checks log in with no security at all and then send only the s:SessionToken header that
 * Login returned (client.addSoapHeader with the raw element, no setSecurity).
 *
 * Prints one line per check ("ok - ..." or "FAIL - ...") and finally exactly
 * "N passed, M failed"; exits 1 when a check failed, 2 on bad usage.
 *
 * SOAP 1.1 calls go through client.<Service>.<Service>Soap11Port; SOAP 1.2 calls through
 * client.<Service>.<Service>Soap12Port of a client created with forceSoap12Headers: true
 * (without it node-soap writes a SOAP 1.1 envelope whatever the binding).
 *
 * How node-soap 1.13.0 maps these contracts (client behaviour, not the server's):
 * - It types values by the *name* of their declared type: xs:long -> number, xs:boolean ->
 *   boolean, xs:dateTime -> Date, xs:decimal (SalesRow/revenue) -> a JS number (so "30.00"
 *   arrives as 30: compared here in integer cents, and exactly against the raw response
 *   text). Values of restricted simple types (c:Money, cat:StockLevel, ord:Quantity) stay the
 *   text on the wire, so Money is compared as an exact string.
 * - It does not serialize JS Date objects (they go out as empty elements), so dateTimes are
 *   sent as ISO strings.
 * - It trims leading and trailing whitespace of every text value unless created with
 *   preserveWhitespace: true, which these clients set (xs:string keeps whitespace).
 * - A repeated element is an array by the schema, also with one occurrence; an absent element
 *   is an absent property; a response with no child at all (SalesReport without rows) is null.
 * - null sends xsi:nil="true"; a property left out sends nothing; {tag: []} sends <tags></tags>.
 * - A fault rejects with an Error whose .root is the parsed envelope: SOAP 1.1
 *   Fault/{faultcode, faultstring, detail}, SOAP 1.2 Fault/{Code/Value, Reason/Text, Detail};
 *   a text with xml:lang arrives as {attributes, $value}. The detail is read loosely: its
 *   numbers are strings and a repeated element occurring once is not an array (items()).
 *
 * Every check makes its own users, products and orders (usernames, SKUs and search words carry
 * a random suffix), so it does not depend on what else runs against the same server.
 */

'use strict';

const crypto = require('crypto');
const soap = require('soap');

const SERVICES = ['UserService', 'CatalogService', 'OrderService', 'AuthService'];
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const SECURITY_NS = 'http://soapstone.dev/schema/security/v1';
const FAILED_AUTHENTICATION_REASON = 'The security token could not be authenticated or authorized';

// Who to authenticate as: from the environment (see tests/interop/_client_script.py).
const CREDENTIALS = {
  username: process.env.SOAPSTONE_USERNAME,
  password: process.env.SOAPSTONE_PASSWORD,
  digestSecret: process.env.SOAPSTONE_DIGEST_SECRET,
};

/** The WS-Security every client uses unless told otherwise: UsernameToken, PasswordText. */
function defaultSecurity() {
  return new soap.WSSecurity(CREDENTIALS.username, CREDENTIALS.password, { passwordType: 'PasswordText' });
}

const MISSING_ID = 999999999;
const SPECIAL = "  Jörg O'Brien & <Sons> ö  ";

const VERSIONS = {
  '1.1': {
    port: 'Soap11Port',
    options: {},
    clientCode: 'soap:Client',
    envelopeNs: 'http://schemas.xmlsoap.org/soap/envelope/',
    contentType: 'text/xml; charset=utf-8',
  },
  '1.2': {
    port: 'Soap12Port',
    options: { forceSoap12Headers: true },
    clientCode: 'env:Sender',
    envelopeNs: 'http://www.w3.org/2003/05/soap-envelope',
    contentType: 'application/soap+xml; charset=utf-8',
  },
};

// --- tiny check harness ---------------------------------------------------------------------

class CheckFailed extends Error {}

let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed += 1;
    const message = error instanceof CheckFailed ? error.message : (error && error.stack) || String(error);
    console.log(`FAIL - ${name}: ${String(message).replace(/\n\s*/g, ' | ')}`);
  }
}

function show(value) {
  return JSON.stringify(value, (key, v) => (v === undefined ? '<undefined>' : v));
}

function fail(message) {
  throw new CheckFailed(message);
}

/** Deep strict equality through JSON (types, key order and array order included). */
function eq(actual, expected, what) {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

function ok(condition, what) {
  if (!condition) fail(what);
}

// --- reading values ---------------------------------------------------------------------------------

/** A repeated element as a list: [] when absent, [x] when it was parsed as one bare value. */
function items(obj, name) {
  if (obj == null || !(name in obj)) return [];
  return Array.isArray(obj[name]) ? obj[name] : [obj[name]];
}

/** An optional element: null when absent. */
function opt(obj, name) {
  return obj != null && name in obj ? obj[name] : null;
}

/** An exact Money amount: node-soap keeps restricted types as the text on the wire. */
function money(value, expected, what) {
  ok(typeof value === 'string', `${what}: expected a string, got ${typeof value} ${show(value)}`);
  eq(value, expected, what);
}

/** An xs:dateTime as an instant (node-soap gives a Date; milliseconds are what the server writes). */
function instant(value, what) {
  ok(value instanceof Date && !Number.isNaN(value.getTime()), `${what}: not a Date: ${show(value)}`);
  return value.getTime();
}

function sameInstant(a, b, what) {
  eq(instant(a, what), instant(b, what), `${what} (as instants)`);
}

function recent(value, what) {
  ok(Math.abs(Date.now() - instant(value, what)) < 60000, `${what}: ${show(value)} is not within a minute of now`);
}

/** The instant `date` written with a fixed UTC offset, e.g. +01:00 (node-soap sends strings only). */
function inOffset(date, offsetMinutes) {
  const shifted = new Date(date.getTime() + offsetMinutes * 60000).toISOString().replace('Z', '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted}${sign}${hh}:${mm}`;
}

/** An xs:decimal that node-soap turned into a JS number, compared in integer cents. */
function cents(value, what) {
  ok(typeof value === 'number' && Number.isFinite(value), `${what}: expected a number, got ${show(value)}`);
  return Math.round(value * 100);
}

/** The text of element `child` inside the repeated element `parent` whose `keyName` text is `key`. */
function rawField(xml, parent, keyName, key, child) {
  const block = new RegExp(`<(?:[\\w.-]+:)?${parent}>(.*?)</(?:[\\w.-]+:)?${parent}>`, 'gs');
  for (const match of xml.matchAll(block)) {
    const text = (name) => {
      const m = match[1].match(new RegExp(`<(?:[\\w.-]+:)?${name}>([^<]*)</(?:[\\w.-]+:)?${name}>`));
      return m ? m[1] : null;
    };
    if (text(keyName) === key) return text(child);
  }
  return null;
}

// --- calls and faults ---------------------------------------------------------------------------

/** Calls `op` on a node-soap port; resolves to {result, raw} (raw: the response text). */
function call(port, op, args) {
  return new Promise((resolve, reject) => {
    port[op](args, (error, result, raw) => (error ? reject(error) : resolve({ result, raw })));
  });
}

async function expectFault(promise) {
  let result;
  try {
    result = await promise;
  } catch (error) {
    if (error && error.root && error.root.Envelope && error.root.Envelope.Body.Fault) {
      ok(error.response && error.response.status === 500, `fault with HTTP ${error.response && error.response.status}`);
      return error.root.Envelope.Body.Fault;
    }
    throw error;
  }
  return fail(`expected a fault, got ${show(result)}`);
}

function textOf(value) {
  return value !== null && typeof value === 'object' && '$value' in value ? value.$value : value;
}

/** The typed detail `name` of a Client/Sender fault, after checking code, reason and xml:lang. */
function faultDetail(ctx, fault, name) {
  let code;
  let reason;
  let detail;
  if (ctx.label === '1.1') {
    code = fault.faultcode;
    reason = fault.faultstring;
    detail = fault.detail;
  } else {
    code = fault.Code && fault.Code.Value;
    reason = fault.Reason && fault.Reason.Text;
    detail = fault.Detail;
  }
  eq(code, ctx.clientCode, 'fault code');
  ok(reason && reason.attributes && reason.attributes['xml:lang'] === 'en', `reason without xml:lang="en": ${show(reason)}`);
  const text = textOf(reason);
  ok(typeof text === 'string' && text.length > 0, 'empty reason');
  ok(detail && typeof detail === 'object', 'fault has no detail');
  eq(Object.keys(detail), [name], 'detail elements');
  eq(detail[name].message, text, `${name}/message`);
  return { detail: detail[name], reason: text };
}

function validationPaths(ctx, fault) {
  const { detail } = faultDetail(ctx, fault, 'ValidationFault');
  const errors = items(detail, 'fieldError');
  for (const error of errors) ok(typeof error.message === 'string' && error.message.length > 0, 'fieldError without message');
  return errors.map((error) => error.path);
}

// --- data helpers -----------------------------------------------------------------------------------

const uid = (bytes = 6) => crypto.randomBytes(bytes).toString('hex');
const uniqueName = (prefix) => `${prefix}-${uid(8)}`;
const uniqueSku = (prefix) => `NODE-${prefix}-${uid(6).toUpperCase()}`;
const uniqueWord = () => uid(7).replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]);

function address(name = 'Zoë Öberg') {
  return { name, street: '12 Königsallee', city: 'Düsseldorf', postalCode: '40212', country: 'DE' };
}

async function createUser(ctx, prefix, roles = ['customer'], extra = {}) {
  const username = uniqueName(prefix);
  const args = { username, email: `${username}@example.com` };
  if ('displayName' in extra) args.displayName = extra.displayName; // sequence order
  args.role = roles;
  return (await call(ctx.users, 'CreateUser', args)).result.user;
}

async function createProduct(ctx, prefix, fields = {}) {
  const sku = uniqueSku(prefix);
  const args = {
    sku,
    name: fields.name || `Product ${sku}`,
    description: fields.description,
    unitPrice: fields.unitPrice || '10.00',
    currency: 'EUR',
    stock: fields.stock === undefined ? 10 : fields.stock,
    tag: fields.tag,
  };
  for (const key of Object.keys(args)) if (args[key] === undefined) delete args[key];
  return (await call(ctx.catalog, 'CreateProduct', args)).result.product;
}

/** PlaceOrder with lines given as [[product-or-sku, quantity], ...]. */
async function place(ctx, customer, lines, clientReference) {
  const args = {
    customerId: customer.id,
    line: lines.map(([item, quantity]) => ({ sku: typeof item === 'string' ? item : item.sku, quantity })),
    shippingAddress: address(),
  };
  if (clientReference !== undefined) args.clientReference = clientReference;
  return (await call(ctx.orders, 'PlaceOrder', args)).result.order;
}

async function stockOf(ctx, sku) {
  return (await call(ctx.catalog, 'GetProduct', { sku })).result.product.stock;
}

// --- the checks ---------------------------------------------------------------------------------------
// Each takes the context of one SOAP version: its ports and what its wire and faults look like.

const CHECKS = {};

CHECKS['wire: envelope and Content-Type of the SOAP version, for each service'] = async (ctx) => {
  const user = await createUser(ctx, 'wire');
  const product = await createProduct(ctx, 'WIRE');
  for (const [key, op, args] of [
    ['users', 'GetUser', { id: user.id }],
    ['catalog', 'GetProduct', { sku: product.sku }],
    ['orders', 'ListOrders', { customerId: user.id }],
  ]) {
    await call(ctx[key], op, args);
    const client = ctx.clients[key];
    ok(client.lastRequest.includes(`="${ctx.envelopeNs}"`) && /<soap:Envelope /.test(client.lastRequest),
      `${key}: request is not a SOAP ${ctx.label} envelope`);
    const root = String(client.lastResponse).match(/<([\w.-]+:)?Envelope[^>]*xmlns(?::[\w.-]+)?="([^"]+)"/);
    eq(root && root[2], ctx.envelopeNs, `${key}: response envelope namespace`);
    eq(client.lastResponseHeaders['content-type'], ctx.contentType, `${key}: response Content-Type`);
  }
};

// UserService

CHECKS['UserService CreateUser returns every field'] = async (ctx) => {
  const username = uniqueName('create');
  const { user } = (await call(ctx.users, 'CreateUser', {
    username, email: `${username}@example.com`, displayName: SPECIAL, role: ['auditor', 'admin'],
  })).result;
  ok(Number.isInteger(user.id) && user.id > 0, `id ${show(user.id)}`);
  eq([user.username, user.email], [username, `${username}@example.com`], 'username, email');
  eq(user.displayName, SPECIAL, 'displayName (spaces and markup kept)');
  eq(user.role, ['auditor', 'admin'], 'role (many occurrences, in the order sent)');
  eq(user.status, 'active', 'status');
  recent(user.createdAt, 'createdAt');
  sameInstant(user.createdAt, user.updatedAt, 'createdAt = updatedAt');
};

CHECKS['UserService CreateUser with one role and no display name'] = async (ctx) => {
  const user = await createUser(ctx, 'minimal', ['clerk']);
  eq(user.role, ['clerk'], 'role (one occurrence is an array)');
  eq(opt(user, 'displayName'), null, 'displayName (absent)');
};

CHECKS['UserService GetUser by id and by username'] = async (ctx) => {
  const created = await createUser(ctx, 'get', ['customer', 'clerk'], { displayName: 'Getter ö' });
  eq((await call(ctx.users, 'GetUser', { id: created.id })).result.user, created, 'by id');
  eq((await call(ctx.users, 'GetUser', { username: created.username })).result.user, created, 'by username');
};

CHECKS['UserService ListUsers pages, filters and an empty result'] = async (ctx) => {
  const domain = `d${uid()}.example.org`;
  const made = {};
  for (const [local, roles] of [['charlie', ['clerk']], ['alpha', ['admin']], ['bravo', ['clerk']]]) {
    made[local] = (await call(ctx.users, 'CreateUser', {
      username: uniqueName(local), email: `${local}@${domain}`, role: roles,
    })).result.user;
  }
  const first = (await call(ctx.users, 'ListUsers', { emailContains: domain, sortBy: 'email', pageSize: 2 })).result;
  eq(items(first, 'user').map((u) => u.email), [`alpha@${domain}`, `bravo@${domain}`], 'first page');
  eq(first.totalCount, 3, 'totalCount');
  ok(typeof first.nextPageToken === 'string' && first.nextPageToken.length > 0, 'nextPageToken on the first page');

  const second = (await call(ctx.users, 'ListUsers', {
    emailContains: domain, sortBy: 'email', pageSize: 2, pageToken: first.nextPageToken,
  })).result;
  ok(Array.isArray(second.user) && second.user.length === 1, 'one occurrence of user is an array of one');
  eq(second.user[0], made.charlie, 'second page');
  eq(opt(second, 'nextPageToken'), null, 'no nextPageToken on the last page');

  const clerks = (await call(ctx.users, 'ListUsers', { emailContains: domain, role: 'clerk', sortBy: 'email', descending: true })).result;
  eq(items(clerks, 'user').map((u) => u.id), [made.charlie.id, made.bravo.id], 'clerks, descending');

  const empty = (await call(ctx.users, 'ListUsers', { emailContains: `none-${uid()}.example.org` })).result;
  eq([opt(empty, 'user'), empty.totalCount], [null, 0], 'no match');
};

CHECKS['UserService UpdateUser changes fields and nils the display name; UserNotFoundFault'] = async (ctx) => {
  const created = await createUser(ctx, 'update', ['customer'], { displayName: 'Before' });
  const email = `${uniqueName('moved')}@example.net`;
  const updated = (await call(ctx.users, 'UpdateUser', { id: created.id, email, status: 'suspended' })).result.user;
  eq([updated.id, updated.email, updated.status], [created.id, email, 'suspended'], 'changed fields');
  eq(updated.displayName, 'Before', 'displayName left out: kept');
  sameInstant(updated.createdAt, created.createdAt, 'createdAt');
  ok(instant(updated.updatedAt) >= instant(created.updatedAt), 'updatedAt went back');

  const cleared = (await call(ctx.users, 'UpdateUser', { id: created.id, displayName: null })).result.user; // xsi:nil
  ok(ctx.clients.users.lastRequest.includes('xsi:nil="true"'), 'null was sent as xsi:nil');
  eq([opt(cleared, 'displayName'), cleared.email], [null, email], 'displayName removed, email kept');

  const fault = await expectFault(call(ctx.users, 'UpdateUser', { id: MISSING_ID, status: 'active' }));
  eq(faultDetail(ctx, fault, 'UserNotFoundFault').detail.id, String(MISSING_ID), 'UserNotFoundFault/id');
};

CHECKS['UserService DeleteUser is idempotent; then GetUser is UserNotFoundFault'] = async (ctx) => {
  const user = await createUser(ctx, 'delete');
  eq((await call(ctx.users, 'DeleteUser', { id: user.id })).result.deleted, true, 'first delete');
  eq((await call(ctx.users, 'DeleteUser', { id: user.id })).result.deleted, false, 'second delete');

  let { detail, reason } = faultDetail(ctx, await expectFault(call(ctx.users, 'GetUser', { id: user.id })), 'UserNotFoundFault');
  eq(reason, `no user with id ${user.id}`, 'reason');
  eq([detail.id, opt(detail, 'username')], [String(user.id), null], 'detail id, no username');

  const ghost = uniqueName('ghost');
  ({ detail } = faultDetail(ctx, await expectFault(call(ctx.users, 'GetUser', { username: ghost })), 'UserNotFoundFault'));
  eq([detail.username, opt(detail, 'id')], [ghost, null], 'detail username, no id');
};

CHECKS['UserService DuplicateUserFault and ValidationFault'] = async (ctx) => {
  const existing = await createUser(ctx, 'dup');
  let fault = await expectFault(call(ctx.users, 'CreateUser', {
    username: existing.username, email: `${uniqueName('other')}@example.com`, role: ['clerk'],
  }));
  const { detail } = faultDetail(ctx, fault, 'DuplicateUserFault');
  eq([detail.field, detail.value], ['username', existing.username], 'DuplicateUserFault field, value');

  fault = await expectFault(call(ctx.users, 'CreateUser', { username: uniqueName('bad'), email: 'not-an-email', role: ['clerk'] }));
  eq(validationPaths(ctx, fault), ['email'], 'ValidationFault paths');
  eq(validationPaths(ctx, await expectFault(call(ctx.users, 'ListUsers', { pageSize: 0 }))), ['pageSize'], 'pageSize 0');
};

// CatalogService

CHECKS['CatalogService CreateProduct and GetProduct return every field'] = async (ctx) => {
  const sku = uniqueSku('CREATE');
  const description = "Grüße ö ' & < > \"quoted\"";
  const { product } = (await call(ctx.catalog, 'CreateProduct', {
    sku, name: 'Steel widget', description, unitPrice: '19.99', currency: 'EUR', stock: 10, tag: ['steel', 'hardware'],
  })).result;
  eq([product.sku, product.name, product.description], [sku, 'Steel widget', description], 'sku, name, description');
  money(product.unitPrice, '19.99', 'unitPrice');
  eq([product.currency, product.stock, product.status], ['EUR', '10', 'active'], 'currency, stock (text), status');
  eq(product.tag, ['steel', 'hardware'], 'tag (many, in the order sent)');
  recent(product.createdAt, 'createdAt');
  sameInstant(product.createdAt, product.updatedAt, 'createdAt = updatedAt');
  eq((await call(ctx.catalog, 'GetProduct', { sku })).result.product, product, 'GetProduct');

  const one = await createProduct(ctx, 'ONE', { unitPrice: '0.50', stock: 0, tag: ['solo'] });
  eq(one.tag, ['solo'], 'one tag is an array of one');
  money(one.unitPrice, '0.50', 'unitPrice 0.50');
  eq(opt(one, 'description'), null, 'description (absent)');
  eq(opt(await createProduct(ctx, 'NONE'), 'tag'), null, 'no tag element');
};

CHECKS['CatalogService DuplicateProductFault, ProductNotFoundFault, ValidationFault'] = async (ctx) => {
  const existing = await createProduct(ctx, 'DUP');
  let fault = await expectFault(call(ctx.catalog, 'CreateProduct', {
    sku: existing.sku, name: 'Another', unitPrice: '4.00', currency: 'EUR', stock: 1,
  }));
  eq(faultDetail(ctx, fault, 'DuplicateProductFault').detail.sku, existing.sku, 'DuplicateProductFault sku');

  const ghost = uniqueSku('GHOST');
  for (const [op, args] of [
    ['GetProduct', { sku: ghost }],
    ['UpdateProduct', { sku: ghost, name: 'x' }],
    ['DiscontinueProduct', { sku: ghost }],
    ['AdjustStock', { sku: ghost, delta: 1, reason: 'restock' }],
  ]) {
    const { detail, reason } = faultDetail(ctx, await expectFault(call(ctx.catalog, op, args)), 'ProductNotFoundFault');
    eq(detail.sku, ghost, `${op}: ProductNotFoundFault sku`);
    ok(reason.includes(ghost), `${op}: reason names the SKU`);
  }

  fault = await expectFault(call(ctx.catalog, 'CreateProduct', {
    sku: uniqueSku('BADTAG'), name: 'Bad tags', unitPrice: '1.00', currency: 'EUR', stock: 1, tag: ['fine', 'Bad Tag'],
  }));
  eq(validationPaths(ctx, fault), ['tag[2]'], 'bad tag');
};

CHECKS['CatalogService UpdateProduct fields, tags wrapper, nil description'] = async (ctx) => {
  const created = await createProduct(ctx, 'UPD', { unitPrice: '19.99', stock: 6, tag: ['old'], description: 'Keep ö' });
  const renamed = (await call(ctx.catalog, 'UpdateProduct', { sku: created.sku, name: 'Renamed & <new>', unitPrice: '17.50' })).result.product;
  eq(renamed.name, 'Renamed & <new>', 'name');
  money(renamed.unitPrice, '17.50', 'unitPrice');
  eq([renamed.description, renamed.tag, renamed.stock], ['Keep ö', ['old'], '6'], 'untouched fields');
  sameInstant(renamed.createdAt, created.createdAt, 'createdAt');
  ok(instant(renamed.updatedAt) >= instant(created.updatedAt), 'updatedAt went back');

  const retagged = (await call(ctx.catalog, 'UpdateProduct', { sku: created.sku, tags: { tag: ['sale', 'hardware', 'new'] } })).result.product;
  eq(retagged.tag, ['sale', 'hardware', 'new'], 'tags replaced, in the order sent');
  const cleared = (await call(ctx.catalog, 'UpdateProduct', { sku: created.sku, tags: { tag: [] } })).result.product; // <tags/>
  eq(opt(cleared, 'tag'), null, 'tags cleared');
  const nilled = (await call(ctx.catalog, 'UpdateProduct', { sku: created.sku, description: null })).result.product; // xsi:nil
  eq(opt(nilled, 'description'), null, 'description removed');
  eq((await call(ctx.catalog, 'GetProduct', { sku: created.sku })).result.product, nilled, 'GetProduct after the updates');
};

CHECKS['CatalogService DiscontinueProduct (idempotent) hides it from SearchProducts'] = async (ctx) => {
  const word = uniqueWord();
  const kept = await createProduct(ctx, 'KEEP', { name: `Kept ${word}` });
  const gone = await createProduct(ctx, 'GONE', { name: `Gone ${word}`, stock: 5 });
  const discontinued = (await call(ctx.catalog, 'DiscontinueProduct', { sku: gone.sku })).result.product;
  eq([discontinued.status, discontinued.stock], ['discontinued', '5'], 'status, stock');
  eq((await call(ctx.catalog, 'DiscontinueProduct', { sku: gone.sku })).result.product.status, 'discontinued', 'again');

  const byDefault = (await call(ctx.catalog, 'SearchProducts', { text: word })).result;
  eq(items(byDefault, 'product').map((p) => p.sku), [kept.sku], 'default search');
  const all = (await call(ctx.catalog, 'SearchProducts', { text: word, includeDiscontinued: true, sortBy: 'name' })).result;
  eq(items(all, 'product').map((p) => [p.sku, p.status]), [[gone.sku, 'discontinued'], [kept.sku, 'active']], 'includeDiscontinued');
};

CHECKS['CatalogService AdjustStock; InsufficientStockFault; ValidationFault'] = async (ctx) => {
  const product = await createProduct(ctx, 'STOCK', { stock: 10 });
  const up = (await call(ctx.catalog, 'AdjustStock', { sku: product.sku, delta: 5, reason: 'restock ö & <supplier>' })).result;
  eq([up.sku, up.stock], [product.sku, '15'], 'after +5');
  eq((await call(ctx.catalog, 'AdjustStock', { sku: product.sku, delta: -3, reason: 'damaged' })).result.stock, '12', 'after -3');

  let fault = await expectFault(call(ctx.catalog, 'AdjustStock', { sku: product.sku, delta: -13, reason: 'too many' }));
  const { detail } = faultDetail(ctx, fault, 'InsufficientStockFault');
  eq([detail.sku, detail.requested, detail.available], [product.sku, '13', '12'], 'InsufficientStockFault');
  eq(await stockOf(ctx, product.sku), '12', 'stock unchanged');

  fault = await expectFault(call(ctx.catalog, 'AdjustStock', { sku: product.sku, delta: 1, reason: '   ' }));
  eq(validationPaths(ctx, fault), ['reason'], 'blank reason');
};

CHECKS['CatalogService SearchProducts by word, price, stock, pages; no match; ValidationFault'] = async (ctx) => {
  const word = uniqueWord();
  const made = {};
  for (const [key, price, stock] of [['delta', '8.25', 2], ['alpha', '5.00', 0], ['charlie', '20.00', 7], ['bravo', '12.50', 3]]) {
    made[key] = await createProduct(ctx, key.toUpperCase(), {
      name: `${key[0].toUpperCase()}${key.slice(1)} ${word}lamp`, unitPrice: price, stock,
    });
  }
  const skus = (page) => items(page, 'product').map((p) => p.sku);
  const search = async (args) => (await call(ctx.catalog, 'SearchProducts', args)).result;

  const page = await search({ text: word.slice(0, 10) });
  eq(skus(page), ['alpha', 'bravo', 'charlie', 'delta'].map((k) => made[k].sku), 'prefix search by name');
  eq([page.totalCount, opt(page, 'nextPageToken')], [4, null], 'totalCount, no token');

  const ranged = await search({ text: word, minPrice: '6.00', maxPrice: '15.00', sortBy: 'price', descending: true });
  eq(items(ranged, 'product').map((p) => [p.sku, p.unitPrice]), [[made.bravo.sku, '12.50'], [made.delta.sku, '8.25']],
    'price range (exact amounts)');

  const first = await search({ text: word, inStockOnly: true, sortBy: 'price', pageSize: 1 });
  eq([skus(first), first.totalCount], [[made.delta.sku], 3], 'in stock, first page');
  const next = await search({ text: word, inStockOnly: true, sortBy: 'price', pageSize: 1, pageToken: first.nextPageToken });
  eq(skus(next), [made.bravo.sku], 'in stock, second page');

  const none = await search({ text: uniqueWord() });
  eq([opt(none, 'product'), none.totalCount], [null, 0], 'no match');

  const fault = await expectFault(call(ctx.catalog, 'SearchProducts', { minPrice: '10.00', maxPrice: '9.99' }));
  eq(validationPaths(ctx, fault), ['maxPrice'], 'min above max');
};

// OrderService

CHECKS['OrderService PlaceOrder and GetOrder return every field; idempotent retry'] = async (ctx) => {
  const customer = await createUser(ctx, 'buyer');
  const widget = await createProduct(ctx, 'WIDGET', { name: 'Steel widget', unitPrice: '19.99', stock: 10 });
  const gadget = await createProduct(ctx, 'GADGET', { name: 'Gadget ö', unitPrice: '5.00', stock: 3 });
  const reference = `ref-${uid(8)}`;
  const shipping = address("Jörg Öztürk & <Söhne> 'GmbH'");
  const request = {
    customerId: customer.id,
    line: [{ sku: widget.sku, quantity: 2 }, { sku: gadget.sku, quantity: 1 }],
    shippingAddress: shipping,
    clientReference: reference,
  };
  const { order } = (await call(ctx.orders, 'PlaceOrder', request)).result;
  ok(Number.isInteger(order.id) && order.id > 0, `id ${show(order.id)}`);
  eq([order.customerId, order.status, order.clientReference], [customer.id, 'placed', reference], 'customerId, status, clientReference');
  eq(order.line.map((l) => [l.sku, l.productName, l.quantity, l.unitPrice, l.lineTotal]), [
    [widget.sku, 'Steel widget', '2', '19.99', '39.98'],
    [gadget.sku, 'Gadget ö', '1', '5.00', '5.00'],
  ], 'lines (exact amounts)');
  money(order.total, '44.98', 'total');
  eq([order.currency, order.shippingAddress], ['EUR', shipping], 'currency, shippingAddress');
  recent(order.placedAt, 'placedAt');
  sameInstant(order.placedAt, order.updatedAt, 'placedAt = updatedAt');
  eq(opt(order, 'cancelReason'), null, 'cancelReason (absent)');
  eq(await stockOf(ctx, widget.sku), '8', 'widget stock taken');
  eq((await call(ctx.orders, 'GetOrder', { id: order.id })).result.order, order, 'GetOrder');

  eq((await call(ctx.orders, 'PlaceOrder', request)).result.order, order, 'retry with the same clientReference');
  eq(await stockOf(ctx, widget.sku), '8', 'retry took nothing');

  const single = await place(ctx, customer, [[gadget, 2]]);
  ok(Array.isArray(single.line) && single.line.length === 1, 'one line is an array of one');
  eq(opt(single, 'clientReference'), null, 'clientReference (absent)');
  money(single.total, '10.00', 'single total');
};

CHECKS['OrderService PlaceOrder faults: InsufficientStockFault, ProductNotFoundFault, ValidationFault; OrderNotFoundFault'] = async (ctx) => {
  const customer = await createUser(ctx, 'faulty');
  const scarce = await createProduct(ctx, 'SCARCE', { stock: 1 });
  const ghost = uniqueSku('GHOST');

  let { detail } = faultDetail(ctx, await expectFault(place(ctx, customer, [[scarce, 5]])), 'InsufficientStockFault');
  eq([detail.sku, detail.requested, detail.available], [scarce.sku, '5', '1'], 'InsufficientStockFault');
  ({ detail } = faultDetail(ctx, await expectFault(place(ctx, customer, [[ghost, 1]])), 'ProductNotFoundFault'));
  eq(detail.sku, ghost, 'ProductNotFoundFault sku');
  const fault = await expectFault(place(ctx, customer, [[scarce, 1], [ghost, 0]]));
  eq(validationPaths(ctx, fault), ['line[2]/quantity'], 'quantity 0');
  eq(await stockOf(ctx, scarce.sku), '1', 'nothing taken');

  for (const [op, extra] of [['GetOrder', {}], ['ShipOrder', {}], ['CancelOrder', { reason: 'never existed' }]]) {
    const result = faultDetail(ctx, await expectFault(call(ctx.orders, op, { id: MISSING_ID, ...extra })), 'OrderNotFoundFault');
    eq([result.detail.id, result.reason], [String(MISSING_ID), `no order with id ${MISSING_ID}`], `${op}: OrderNotFoundFault`);
  }
  eq(validationPaths(ctx, await expectFault(call(ctx.orders, 'ListOrders', { pageSize: 0 }))), ['pageSize'], 'ListOrders pageSize 0');
};

CHECKS['OrderService ListOrders, ShipOrder, CancelOrder; InvalidOrderStateFault'] = async (ctx) => {
  const customer = await createUser(ctx, 'lister');
  const product = await createProduct(ctx, 'LIST', { unitPrice: '1.00', stock: 100 });
  const placed = [];
  for (const quantity of [1, 2, 3]) {
    placed.push(await place(ctx, customer, [[product, quantity]]));
    await new Promise((resolve) => setTimeout(resolve, 10)); // distinct placedAt instants
  }
  const newestFirst = placed.map((o) => o.id).reverse();
  const list = async (args) => items((await call(ctx.orders, 'ListOrders', { customerId: customer.id, ...args })).result, 'order').map((o) => o.id);

  const page = (await call(ctx.orders, 'ListOrders', { customerId: customer.id })).result;
  eq([items(page, 'order').map((o) => o.id), page.totalCount, opt(page, 'nextPageToken')], [newestFirst, 3, null], 'all, newest first');
  const first = (await call(ctx.orders, 'ListOrders', { customerId: customer.id, pageSize: 2 })).result;
  const rest = await list({ pageSize: 2, pageToken: first.nextPageToken });
  eq([...items(first, 'order').map((o) => o.id), ...rest], newestFirst, 'two pages');

  // The window is compared as instants: the same instant written in +01:00 / -05:00.
  const from = inOffset(placed[1].placedAt, 60);
  eq(await list({ placedFrom: from }), newestFirst.slice(0, 2), `placedFrom ${from}`);
  const to = inOffset(placed[1].placedAt, -300);
  eq(await list({ placedTo: to }), [placed[0].id], `placedTo ${to}`);

  const shipped = (await call(ctx.orders, 'ShipOrder', { id: placed[0].id })).result.order;
  eq([shipped.status, opt(shipped, 'cancelReason')], ['shipped', null], 'shipped');
  sameInstant(shipped.placedAt, placed[0].placedAt, 'placedAt kept');

  const reason = "Kunde hat storniert – ö ' & <sofort>";
  const cancelled = (await call(ctx.orders, 'CancelOrder', { id: placed[1].id, reason })).result.order;
  eq([cancelled.status, cancelled.cancelReason], ['cancelled', reason], 'cancelled');
  eq(await stockOf(ctx, product.sku), String(100 - 1 - 3), 'stock back after the cancel');

  for (const [op, extra, action, id, status] of [
    ['CancelOrder', { reason: 'too late' }, 'cancel', placed[0].id, 'shipped'],
    ['ShipOrder', {}, 'ship', placed[0].id, 'shipped'],
    ['ShipOrder', {}, 'ship', placed[1].id, 'cancelled'],
  ]) {
    const { detail } = faultDetail(ctx, await expectFault(call(ctx.orders, op, { id, ...extra })), 'InvalidOrderStateFault');
    eq([detail.id, detail.currentStatus, detail.attemptedAction], [String(id), status, action], `${op} of a ${status} order`);
  }
  eq(await list({ status: 'shipped' }), [placed[0].id], 'status filter');
};

CHECKS['OrderService SalesReport by product, customer and day; ValidationFault'] = async (ctx) => {
  const start = new Date(Date.now() - 60000).toISOString();
  const ann = await createUser(ctx, 'ann');
  const bob = await createUser(ctx, 'bob');
  const lamp = await createProduct(ctx, 'LAMP', { unitPrice: '10.00', stock: 50 });
  const bulb = await createProduct(ctx, 'BULB', { unitPrice: '2.55', stock: 50 });
  const first = await place(ctx, ann, [[lamp, 2], [bulb, 1]]); // 22.55
  const shipped = await place(ctx, bob, [[lamp, 1]]); // 10.00, shipped: counted
  const cancelled = await place(ctx, ann, [[bulb, 4]]); // cancelled: not counted
  await call(ctx.orders, 'ShipOrder', { id: shipped.id });
  await call(ctx.orders, 'CancelOrder', { id: cancelled.id, reason: 'wrong bulbs' });
  const end = new Date(Date.now() + 60000).toISOString();

  // revenue (xs:decimal) arrives as a JS number: compared in cents, and exactly in the raw text.
  const report = async (groupBy, keys, from = start, to = end) => {
    const { result, raw } = await call(ctx.orders, 'SalesReport', { from, to, groupBy });
    const rows = {};
    for (const row of items(result, 'row')) {
      if (keys.includes(row.key)) {
        rows[row.key] = [row.currency, row.orderCount, row.quantity, cents(row.revenue, 'revenue'),
          rawField(raw, 'row', 'key', row.key, 'revenue')];
      }
    }
    return Object.fromEntries(Object.entries(rows).sort());
  };
  const sorted = (obj) => Object.fromEntries(Object.entries(obj).sort());
  eq(await report('product', [lamp.sku, bulb.sku]), sorted({
    [lamp.sku]: ['EUR', 2, 3, 3000, '30.00'],
    [bulb.sku]: ['EUR', 1, 1, 255, '2.55'],
  }), 'by product');
  eq(await report('customer', [String(ann.id), String(bob.id)]), sorted({
    [String(ann.id)]: ['EUR', 1, 3, 2255, '22.55'],
    [String(bob.id)]: ['EUR', 1, 1, 1000, '10.00'],
  }), 'by customer');

  // Other suites order on the same server: our orders are a lower bound of their day's row.
  const ours = {};
  for (const [order, quantity, amount] of [[first, 3, 2255], [shipped, 1, 1000]]) {
    const day = order.placedAt.toISOString().slice(0, 10);
    const [count, qty, sum] = ours[day] || [0, 0, 0];
    ours[day] = [count + 1, qty + quantity, sum + amount];
  }
  const byDay = await report('day', Object.keys(ours));
  for (const [day, [count, quantity, amount]] of Object.entries(ours)) {
    const row = byDay[day];
    ok(row && row[0] === 'EUR' && row[1] >= count && row[2] >= quantity && row[3] >= amount, `day row ${day}: ${show(row)}`);
    ok(/^\d+\.\d\d$/.test(row[4]) && Math.round(Number(row[4]) * 100) === row[3], `day revenue text ${show(row[4])}`);
  }

  eq(await report('product', [lamp.sku, bulb.sku], new Date(Date.now() - 86400000).toISOString(), start), {}, 'a window before the orders');
  const empty = await call(ctx.orders, 'SalesReport', { from: '2001-01-01T00:00:00Z', to: '2001-01-02T00:00:00+01:00', groupBy: 'day' });
  eq(items(empty.result, 'row'), [], 'an empty report');

  const fault = await expectFault(call(ctx.orders, 'SalesReport', { from: end, to: end, groupBy: 'day' }));
  eq(validationPaths(ctx, fault), ['to'], 'from = to');
};

// WS-Security

/** Calls AuthService WhoAmI through a client of `ctx`'s SOAP version using `security`. */
async function whoAmI(ctx, security) {
  const client = await createClient(`${ctx.root}/services/AuthService?wsdl`, ctx.options, security);
  const port = client.AuthService[`AuthService${ctx.port}`];
  ok(port, `AuthService has no port AuthService${ctx.port}`);
  return { client, call: () => call(port, 'WhoAmI', {}) };
}

/** A WS-Security fault: SOAP 1.1 faultcode `wsse:<code>`, SOAP 1.2 Code env:Sender with
 *  Subcode `wsse:<code>`, the wsse prefix bound to the WS-Security namespace on the wire. */
function securityFault(ctx, fault, code, raw) {
  let value;
  let reason;
  let element;
  if (ctx.label === '1.1') {
    value = fault.faultcode;
    reason = textOf(fault.faultstring);
    element = 'faultcode';
  } else {
    eq(fault.Code && fault.Code.Value, 'env:Sender', 'Code/Value');
    value = fault.Code.Subcode && fault.Code.Subcode.Value;
    reason = textOf(fault.Reason && fault.Reason.Text);
    element = 'Value';
  }
  eq(value, `wsse:${code}`, 'fault code');
  ok(typeof reason === 'string' && reason.length > 0, 'empty reason');
  // The prefix is bound on the wire (node-soap keeps only the text).
  const match = String(raw).match(new RegExp(`<(?:[\\w.-]+:)?${element}\\b([^>]*)>\\s*wsse:${code}\\s*<`));
  ok(match, `no <${element}>wsse:${code}</${element}> in ${show(String(raw).slice(0, 600))}`);
  ok(new RegExp(`xmlns:wsse="${WSSE_NS}"`).test(raw), 'the wsse prefix is not bound to the WS-Security namespace');
  return reason;
}

CHECKS['WS-Security PasswordDigest (node-soap WSSecurity) authenticates; WhoAmI says digest'] = async (ctx) => {
  const text = await whoAmI(ctx, defaultSecurity());
  const first = (await text.call()).result;
  eq([first.username, first.authentication], [CREDENTIALS.username, 'password'], 'WhoAmI with PasswordText');

  const digest = await whoAmI(ctx, new soap.WSSecurity(CREDENTIALS.username, CREDENTIALS.digestSecret, { passwordType: 'PasswordDigest' }));
  for (const n of [1, 2]) { // a fresh nonce per request
    const who = (await digest.call()).result;
    ok(digest.client.lastRequest.includes('#PasswordDigest">'), `request ${n}: no PasswordDigest sent`);
    eq([who.username, who.authentication, who.userId], [CREDENTIALS.username, 'digest', first.userId], `WhoAmI with PasswordDigest, request ${n}`);
    ok(items(who, 'role').includes('admin'), `role ${show(who.role)}`);
  }
};

CHECKS['WS-Security a wrong password and an unknown user are the same wsse:FailedAuthentication'] = async (ctx) => {
  const reasons = [];
  for (const [username, password] of [
    [CREDENTIALS.username, `${CREDENTIALS.password}-wrong`],
    [uniqueName('nobody'), CREDENTIALS.password],
  ]) {
    const wrong = await whoAmI(ctx, new soap.WSSecurity(username, password, { passwordType: 'PasswordText' }));
    const fault = await expectFault(wrong.call());
    reasons.push(securityFault(ctx, fault, 'FailedAuthentication', wrong.client.lastResponse));
  }
  eq(reasons, [FAILED_AUTHENTICATION_REASON, FAILED_AUTHENTICATION_REASON], 'reasons');
};

// AuthService (sessions) and UserService SetPassword

/** A user with a password (CreateUser's sequence: username, email, role, password). */
async function createUserWithPassword(ctx, prefix, password) {
  const username = uniqueName(prefix);
  const args = { username, email: `${username}@example.com`, role: ['customer'], password };
  return (await call(ctx.users, 'CreateUser', args)).result.user;
}

/** An AuthService port of `ctx`'s SOAP version whose client sends no security at all, or
 *  (with `token`) only the s:SessionToken header. */
async function authPort(ctx, token) {
  const client = await createClient(`${ctx.root}/services/AuthService?wsdl`, ctx.options, null);
  if (token !== undefined) client.addSoapHeader(`<s:SessionToken xmlns:s="${SECURITY_NS}">${token}</s:SessionToken>`);
  const port = client.AuthService[`AuthService${ctx.port}`];
  ok(port, `AuthService has no port AuthService${ctx.port}`);
  return { client, port };
}

CHECKS['UserService SetPassword; AuthService Login, WhoAmI with only a SessionToken, Logout'] = async (ctx) => {
  const user = await createUserWithPassword(ctx, 'session', 'first-password-1');
  eq((await call(ctx.users, 'SetPassword', { id: user.id, newPassword: 'second-password-2' })).result.id, user.id, 'SetPassword id');

  const anonymous = await authPort(ctx);
  const login = (await call(anonymous.port, 'Login', { username: user.username, password: 'second-password-2' })).result;
  ok(!anonymous.client.lastRequest.includes('Security'), 'Login: a Security header was sent');
  ok(typeof login.sessionToken === 'string' && login.sessionToken.length > 0, `sessionToken ${show(login.sessionToken)}`);
  ok(instant(login.expiresAt, 'expiresAt') > Date.now(), `expiresAt ${show(login.expiresAt)} is not in the future`);

  const session = await authPort(ctx, login.sessionToken);
  const who = (await call(session.port, 'WhoAmI', {})).result;
  const sent = session.client.lastRequest;
  ok(!sent.includes('Security'), 'WhoAmI: a Security header was sent');
  ok(sent.includes(`>${login.sessionToken}</s:SessionToken>`), 'WhoAmI: no SessionToken header sent');
  eq([who.userId, who.username, who.authentication], [user.id, user.username, 'session'], 'WhoAmI with the SessionToken');
  eq(items(who, 'role'), ['customer'], 'role');

  eq((await call(session.port, 'Logout', {})).result.loggedOut, true, 'Logout loggedOut');
  const fault = await expectFault(call(session.port, 'WhoAmI', {}));
  securityFault(ctx, fault, 'FailedAuthentication', session.client.lastResponse);
};

CHECKS['AuthService Login with a wrong password is wsse:FailedAuthentication'] = async (ctx) => {
  const user = await createUserWithPassword(ctx, 'badlogin', 'first-password-1');
  const anonymous = await authPort(ctx);
  for (const password of ['first-password-1-wrong', 'not-the-password']) {
    const fault = await expectFault(call(anonymous.port, 'Login', { username: user.username, password }));
    securityFault(ctx, fault, 'FailedAuthentication', anonymous.client.lastResponse);
  }
};

CHECKS['AuthService ListAuditEvents as the admin: Login events'] = async (ctx) => {
  const user = await createUserWithPassword(ctx, 'audited', 'first-password-1');
  await call((await authPort(ctx)).port, 'Login', { username: user.username, password: 'first-password-1' });
  const page = (await call(ctx.auth, 'ListAuditEvents', { operation: 'Login', pageSize: 5 })).result;
  const events = items(page, 'event');
  ok(events.length >= 1 && events.length <= 5, `events: ${events.length}`);
  for (const event of events) {
    eq(event.operation, 'Login', `event ${event.id} operation`);
    ok(['ok', 'fault'].includes(event.outcome), `event ${event.id} outcome ${show(event.outcome)}`);
    instant(event.at, `event ${event.id} at`);
  }
  ok(events.some((event) => event.outcome === 'ok'), `no Login event with outcome ok: ${show(events)}`);
};

// --- run ----------------------------------------------------------------------------------------------

/** A client of `url` that authenticates with `security` (default: defaultSecurity(); null: none). */
async function createClient(url, options, security = defaultSecurity()) {
  // preserveWhitespace: node-soap trims every text value otherwise (xs:string keeps it).
  const client = await soap.createClientAsync(url, { preserveWhitespace: true, ...options });
  if (security) client.setSecurity(security);
  return client;
}

async function main() {
  const base = process.argv[2];
  if (process.argv.length !== 3 || !/^https?:\/\//.test(base) || !CREDENTIALS.username || !CREDENTIALS.password || !CREDENTIALS.digestSecret) {
    console.error('usage: SOAPSTONE_USERNAME=U SOAPSTONE_PASSWORD=P SOAPSTONE_DIGEST_SECRET=S node client_test.js BASE_URL (e.g. http://127.0.0.1:8080)');
    process.exit(2);
  }
  const root = base.replace(/\/+$/, '');

  // The SOAP-1.1-only view: one port per service, and it works.
  await check('SOAP 1.1 view ?wsdl&soap=1.1 has only the SOAP 1.1 port, and works', async () => {
    for (const name of SERVICES) {
      const full = await createClient(`${root}/services/${name}?wsdl`, {});
      eq(Object.keys(full[name]), [`${name}Soap11Port`, `${name}Soap12Port`], `${name}: ports of ?wsdl`);
      const view = await createClient(`${root}/services/${name}?wsdl&soap=1.1`, {});
      eq(Object.keys(view[name]), [`${name}Soap11Port`], `${name}: ports of the view`);
    }
    const view = await createClient(`${root}/services/UserService?wsdl&soap=1.1`, {});
    const port = view.UserService.UserServiceSoap11Port;
    const username = uniqueName('view');
    const { user } = (await call(port, 'CreateUser', { username, email: `${username}@example.com`, role: ['clerk'] })).result;
    eq((await call(port, 'GetUser', { id: user.id })).result.user.username, username, 'GetUser through the view');
  });

  for (const [label, version] of Object.entries(VERSIONS)) {
    const ctx = { ...version, label, root, clients: {} };
    let loaded = false;
    await check(`SOAP ${label} load ?wsdl of every service`, async () => {
      for (const [key, name] of [['users', 'UserService'], ['catalog', 'CatalogService'], ['orders', 'OrderService'], ['auth', 'AuthService']]) {
        const client = await createClient(`${root}/services/${name}?wsdl`, version.options);
        ctx.clients[key] = client;
        ctx[key] = client[name][`${name}${version.port}`];
        ok(ctx[key], `${name} has no port ${name}${version.port}`);
      }
      loaded = true;
    });
    for (const [name, body] of Object.entries(CHECKS)) {
      await check(`SOAP ${label} ${name}`, async () => {
        if (!loaded) fail('no client (WSDL did not load)');
        await body(ctx);
      });
    }
  }

  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.log(`FAIL - harness: ${(error && error.stack) || error}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
