<?php
/*
 * PHP's own SoapClient (ext-soap, unmodified) drives every operation of UserService,
 * CatalogService, OrderService and AuthService over SOAP 1.1 and over SOAP 1.2, loading each service's
 * ?wsdl from a running Soapstone server, and reads the detail of each declared typed fault.
 *
 *     SOAPSTONE_USERNAME=admin SOAPSTONE_PASSWORD=... SOAPSTONE_DIGEST_SECRET=... \
 *         php tests/interop/php/client_test.php http://127.0.0.1:8080
 *
 * Every operation needs credentials. ext-soap has no WS-Security of its own, so every client
 * sends a wsse:Security header (UsernameToken, PasswordText) written here as raw XML: a
 * SoapHeader whose data is a SoapVar of XSD_ANYXML (ext-soap puts that XML into soap:Header
 * as it is, in place of the element SoapHeader would write). The PasswordDigest check
 * computes Base64(SHA-1(nonce + Created + secret)) here too, with a fresh nonce per request.
 * The session checks log in without any header and then send only the s:SessionToken
 * header that Login returned (a SoapHeader in the security namespace, no wsse:Security).
 *
 * Prints one line per check ("ok - ..." or "FAIL - ...") and finally exactly
 * "N passed, M failed"; exits 1 when a check failed, 2 on bad usage.
 *
 * Client options: soap_version SOAP_1_1 / SOAP_1_2, cache_wsdl WSDL_CACHE_NONE (and
 * soap.wsdl_cache_enabled=0), features SOAP_SINGLE_ELEMENT_ARRAYS, exceptions true, trace true.
 *
 * How ext-soap (PHP 8.2) maps these contracts (client behaviour, not the server's):
 * - xs:decimal and types derived from it (c:Money, SalesRow/revenue) arrive as strings holding
 *   the exact text on the wire ("19.99"), so amounts are compared as strings, exactly; they
 *   are sent as strings too. (Older notes say "floats": that is true for xs:double/xs:float,
 *   not for xs:decimal in this PHP.)
 * - xs:long/xs:int and types derived from them arrive as int, xs:boolean as bool; xs:dateTime
 *   arrives as the string on the wire, compared here as an instant (DateTimeImmutable).
 * - With SOAP_SINGLE_ELEMENT_ARRAYS a repeated element is an array even with one occurrence;
 *   an absent element (optional, or repeated with no occurrence) is an absent property.
 * - A null value of a nillable element is sent as xsi:nil="true"; a key left out sends nothing.
 * - A fault throws SoapFault: faultcode is the code's QName as sent (soap:Client, env:Sender),
 *   faultstring the reason text, detail the detail parsed *without* the schema: every leaf is
 *   a string, and a repeated element occurring once is not an array (see items()).
 *
 * Every check makes its own users, products and orders (usernames, SKUs and search words carry
 * a random suffix), so it does not depend on what else runs against the same server.
 */

declare(strict_types=1);

ini_set('soap.wsdl_cache_enabled', '0');
ini_set('default_socket_timeout', '30');
error_reporting(E_ALL);
set_error_handler(function (int $no, string $msg, string $file, int $line): bool {
    throw new ErrorException($msg, 0, $no, $file, $line);
});

$USERNAME = getenv('SOAPSTONE_USERNAME');
$PASSWORD = getenv('SOAPSTONE_PASSWORD');
$DIGEST_SECRET = getenv('SOAPSTONE_DIGEST_SECRET');
if ($argc !== 2 || !preg_match('#^https?://#', $argv[1])
    || !is_string($USERNAME) || $USERNAME === '' || !is_string($PASSWORD) || $PASSWORD === ''
    || !is_string($DIGEST_SECRET) || $DIGEST_SECRET === '') {
    fwrite(STDERR, "usage: SOAPSTONE_USERNAME=U SOAPSTONE_PASSWORD=P SOAPSTONE_DIGEST_SECRET=S php client_test.php BASE_URL (e.g. http://127.0.0.1:8080)\n");
    exit(2);
}
$BASE = rtrim($argv[1], '/');

const SERVICES = ['UserService', 'CatalogService', 'OrderService', 'AuthService'];
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const TOKEN_PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';
const SECURITY_NS = 'http://soapstone.dev/schema/security/v1';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const MISSING_ID = 999999999;
const SPECIAL = "  Jörg O'Brien & <Sons> ö  ";

// --- tiny check harness --------------------------------------------------------------------

final class CheckFailed extends Exception {}

$passed = 0;
$failed = 0;

function check(string $name, callable $body): void
{
    global $passed, $failed;
    try {
        $body();
        $passed++;
        echo "ok - $name\n";
    } catch (Throwable $e) {
        $failed++;
        $where = $e instanceof CheckFailed ? '' : ' (' . get_class($e) . ' at line ' . $e->getLine() . ')';
        echo "FAIL - $name: " . str_replace("\n", ' ', $e->getMessage()) . "$where\n";
    }
}

function show($value): string
{
    return json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
}

function fail(string $message): never
{
    throw new CheckFailed($message);
}

/** Strict equality (===), with both sides shown on failure. */
function eq($actual, $expected, string $what): void
{
    if ($actual !== $expected) {
        fail("$what: expected " . show($expected) . ', got ' . show($actual));
    }
}

/** The same data: objects compared through their JSON (types and order included). */
function same($actual, $expected, string $what): void
{
    eq(show($actual), show($expected), $what);
}

function ok(bool $condition, string $what): void
{
    if (!$condition) {
        fail($what);
    }
}

// --- reading values ----------------------------------------------------------------------------

/** A repeated element as a list: [] when absent, [x] when it was parsed as one bare value. */
function items(object $obj, string $name): array
{
    if (!property_exists($obj, $name)) {
        return [];
    }
    $value = $obj->$name;
    return is_array($value) ? $value : [$value];
}

/** An optional element: null when absent. */
function opt(object $obj, string $name)
{
    return property_exists($obj, $name) ? $obj->$name : null;
}

/** An exact amount: ext-soap gives xs:decimal as the string on the wire. */
function money($value, string $expected, string $what): void
{
    ok(is_string($value), "$what: expected a string, got " . gettype($value) . ' ' . show($value));
    eq($value, $expected, $what);
}

/** An xs:dateTime with an explicit zone, as an instant. */
function instant($text, string $what = 'dateTime'): DateTimeImmutable
{
    ok(is_string($text) && preg_match('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/', $text) === 1,
        "$what: not an xs:dateTime with a zone: " . show($text));
    return new DateTimeImmutable($text);
}

function micros(DateTimeImmutable $t): string
{
    return $t->format('U.u');
}

function same_instant($a, $b, string $what): void
{
    eq(micros(instant($a, $what)), micros(instant($b, $what)), "$what (as instants)");
}

function not_before($later, $earlier, string $what): void
{
    ok(micros(instant($later)) >= micros(instant($earlier)), "$what: $later is before $earlier");
}

function recent($text, string $what): void
{
    $age = abs(microtime(true) - (float) micros(instant($text, $what)));
    ok($age < 60, "$what: $text is not within a minute of now");
}

/** The same instant written in another offset. */
function in_offset(string $text, string $offset): string
{
    return instant($text)->setTimezone(new DateTimeZone($offset))->format('Y-m-d\TH:i:s.vP');
}

function utc_now(string $modify = 'now'): string
{
    return (new DateTimeImmutable($modify, new DateTimeZone('UTC')))->format('Y-m-d\TH:i:s.v\Z');
}

// --- faults -----------------------------------------------------------------------------------

function expect_fault(callable $call): SoapFault
{
    try {
        $result = $call();
    } catch (SoapFault $fault) {
        return $fault;
    }
    fail('expected a SoapFault, got ' . show($result));
}

/** The typed detail `name` of a Client/Sender fault, after checking code and reason. */
function fault_detail(array $ctx, SoapFault $fault, string $name): object
{
    eq($fault->faultcode, $ctx['client_code'], 'faultcode');
    ok(is_string($fault->faultstring) && $fault->faultstring !== '', 'faultstring is empty');
    ok(isset($fault->detail) && is_object($fault->detail), 'fault has no detail');
    eq(array_keys(get_object_vars($fault->detail)), [$name], 'detail elements');
    $detail = $fault->detail->$name;
    eq($detail->message, $fault->faultstring, "$name/message");
    return $detail;
}

function validation_paths(array $ctx, SoapFault $fault): array
{
    $detail = fault_detail($ctx, $fault, 'ValidationFault');
    $errors = items($detail, 'fieldError');
    foreach ($errors as $error) {
        ok(is_string($error->message) && $error->message !== '', 'fieldError without message');
    }
    return array_map(fn ($error) => $error->path, $errors);
}

// --- data helpers --------------------------------------------------------------------------------

function uid(int $bytes = 6): string
{
    return bin2hex(random_bytes($bytes));
}

function unique_name(string $prefix): string
{
    return "$prefix-" . uid(8);
}

function unique_sku(string $prefix): string
{
    return "PHP-$prefix-" . strtoupper(uid(6));
}

function unique_word(): string
{
    return strtr(uid(7), '0123456789', 'ghijklmnop');
}

function create_user(array $ctx, string $prefix, array $roles = ['customer'], array $extra = []): object
{
    $username = unique_name($prefix);
    return $ctx['users']->CreateUser(array_merge(
        ['username' => $username, 'email' => "$username@example.com", 'role' => $roles],
        $extra
    ))->user;
}

function create_product(array $ctx, string $prefix, array $fields = []): object
{
    $sku = unique_sku($prefix);
    return $ctx['catalog']->CreateProduct(array_merge(
        ['sku' => $sku, 'name' => "Product $sku", 'unitPrice' => '10.00', 'currency' => 'EUR', 'stock' => 10],
        $fields
    ))->product;
}

function address(string $name = 'Zoë Öberg'): array
{
    return ['name' => $name, 'street' => '12 Königsallee', 'city' => 'Düsseldorf', 'postalCode' => '40212', 'country' => 'DE'];
}

/** PlaceOrder with lines given as [[product-or-sku, quantity], ...]. */
function place(array $ctx, object $customer, array $lines, array $extra = []): object
{
    $request = [
        'customerId' => $customer->id,
        'line' => array_map(fn ($l) => ['sku' => is_object($l[0]) ? $l[0]->sku : $l[0], 'quantity' => $l[1]], $lines),
        'shippingAddress' => address(),
    ];
    return $ctx['orders']->PlaceOrder(array_merge($request, $extra))->order;
}

function stock_of(array $ctx, string $sku): int
{
    return $ctx['catalog']->GetProduct(['sku' => $sku])->product->stock;
}

function content_type(SoapClient $client): string
{
    preg_match('/^content-type:\s*(.*?)\s*$/mi', (string) $client->__getLastResponseHeaders(), $m);
    return $m[1] ?? '';
}

// --- WS-Security ----------------------------------------------------------------------------------

function xml_text(string $text): string
{
    return htmlspecialchars($text, ENT_XML1 | ENT_QUOTES, 'UTF-8');
}

/** A wsse:Security header holding `$token` (raw XML), sent as it is. */
function wsse_header(string $token): SoapHeader
{
    $xml = '<wsse:Security xmlns:wsse="' . WSSE_NS . '" xmlns:wsu="' . WSU_NS . '">' . $token . '</wsse:Security>';
    return new SoapHeader(WSSE_NS, 'Security', new SoapVar($xml, XSD_ANYXML));
}

/** A UsernameToken with a PasswordText. */
function password_text_header(string $username, string $password): SoapHeader
{
    return wsse_header('<wsse:UsernameToken><wsse:Username>' . xml_text($username) . '</wsse:Username>'
        . '<wsse:Password Type="' . TOKEN_PROFILE . '#PasswordText">' . xml_text($password) . '</wsse:Password>'
        . '</wsse:UsernameToken>');
}

/** A UsernameToken with a PasswordDigest = Base64(SHA-1(nonce + Created + secret)), a fresh
 *  16-byte nonce and Created = now (send it once: a nonce seen twice is a replay). */
function password_digest_header(string $username, string $secret): SoapHeader
{
    $nonce = random_bytes(16);
    $created = gmdate('Y-m-d\TH:i:s\Z');
    $digest = base64_encode(sha1($nonce . $created . $secret, true));
    return wsse_header('<wsse:UsernameToken><wsse:Username>' . xml_text($username) . '</wsse:Username>'
        . '<wsse:Password Type="' . TOKEN_PROFILE . '#PasswordDigest">' . $digest . '</wsse:Password>'
        . '<wsse:Nonce EncodingType="' . BASE64_BINARY . '">' . base64_encode($nonce) . '</wsse:Nonce>'
        . '<wsu:Created>' . $created . '</wsu:Created></wsse:UsernameToken>');
}

/** The header every client sends unless told otherwise: the user of the environment, PasswordText. */
function default_header(): SoapHeader
{
    global $USERNAME, $PASSWORD;
    return password_text_header($USERNAME, $PASSWORD);
}

// --- the client per SOAP version -----------------------------------------------------------------

/** A client of `$wsdl`; it sends `$header` (by default the environment's user, PasswordText). */
function client(string $wsdl, int $version, ?SoapHeader $header = null): SoapClient
{
    $client = new SoapClient($wsdl, [
        'soap_version' => $version,
        'cache_wsdl' => WSDL_CACHE_NONE,
        'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
        'exceptions' => true,
        'trace' => true,
        'connection_timeout' => 10,
    ]);
    $client->__setSoapHeaders([$header ?? default_header()]);
    return $client;
}

function http_status(SoapClient $client): int
{
    preg_match('#^HTTP/\S+\s+(\d{3})#', (string) $client->__getLastResponseHeaders(), $m);
    return (int) ($m[1] ?? 0);
}

/**
 * A WS-Security fault: HTTP 500; SOAP 1.1 faultcode `wsse:<code>` (its prefix bound to the
 * wsse namespace on the wire), SOAP 1.2 Code env:Sender with Subcode `wsse:<code>` (ext-soap
 * reports only the Code, so the Subcode is read from the raw response).
 */
function security_fault(array $ctx, SoapClient $client, SoapFault $fault, string $code): void
{
    eq(http_status($client), 500, 'HTTP status');
    ok(is_string($fault->faultstring) && $fault->faultstring !== '', 'faultstring is empty');
    $doc = new DOMDocument();
    $doc->loadXML($client->__getLastResponse());
    $xpath = new DOMXPath($doc);
    $xpath->registerNamespace('e', $ctx['envelope_ns']);
    if ($ctx['label'] === '1.1') {
        eq($fault->faultcode, "wsse:$code", 'faultcode');
        $node = $xpath->query('/e:Envelope/e:Body/e:Fault/faultcode')->item(0);
    } else {
        eq($fault->faultcode, 'env:Sender', 'Code/Value');
        $node = $xpath->query('/e:Envelope/e:Body/e:Fault/e:Code/e:Subcode/e:Value')->item(0);
    }
    ok($node !== null, 'no faultcode / Subcode/Value in the response');
    eq(trim($node->textContent), "wsse:$code", 'fault code text on the wire');
    eq($node->lookupNamespaceURI('wsse'), WSSE_NS, 'namespace of the wsse prefix');
}

/** A client of AuthService that sends no header at all (for Login). */
function anonymous_auth_client(array $ctx): SoapClient
{
    global $BASE;
    $client = client("$BASE/services/AuthService?wsdl", $ctx['version']);
    $client->__setSoapHeaders(null);
    return $client;
}

/** A client of AuthService that authenticates with only the s:SessionToken header `$token`. */
function session_client(array $ctx, string $token): SoapClient
{
    global $BASE;
    return client("$BASE/services/AuthService?wsdl", $ctx['version'], new SoapHeader(SECURITY_NS, 'SessionToken', $token));
}

$VERSIONS = [
    '1.1' => [
        'version' => SOAP_1_1,
        'client_code' => 'soap:Client',
        'envelope_ns' => 'http://schemas.xmlsoap.org/soap/envelope/',
        'content_type' => 'text/xml; charset=utf-8',
    ],
    '1.2' => [
        'version' => SOAP_1_2,
        'client_code' => 'env:Sender',
        'envelope_ns' => 'http://www.w3.org/2003/05/soap-envelope',
        'content_type' => 'application/soap+xml; charset=utf-8',
    ],
];

// --- the checks ---------------------------------------------------------------------------------------
// Each takes the context of one SOAP version: its clients and what its wire and faults look like.

$CHECKS = [];

$CHECKS['wire: envelope and Content-Type of the SOAP version, for each service'] = function (array $ctx): void {
    $user = create_user($ctx, 'wire');
    $product = create_product($ctx, 'WIRE');
    $calls = [
        'users' => fn () => $ctx['users']->GetUser(['id' => $user->id]),
        'catalog' => fn () => $ctx['catalog']->GetProduct(['sku' => $product->sku]),
        'orders' => fn () => $ctx['orders']->ListOrders(['customerId' => $user->id]),
    ];
    foreach ($calls as $key => $call) {
        $call();
        $client = $ctx[$key];
        $sent = new DOMDocument();
        $sent->loadXML($client->__getLastRequest());
        eq($sent->documentElement->namespaceURI, $ctx['envelope_ns'], "$key: request envelope");
        $received = new DOMDocument();
        $received->loadXML($client->__getLastResponse());
        eq($received->documentElement->namespaceURI, $ctx['envelope_ns'], "$key: response envelope");
        eq(content_type($client), $ctx['content_type'], "$key: response Content-Type");
    }
};

// UserService

$CHECKS['UserService CreateUser returns every field'] = function (array $ctx): void {
    $username = unique_name('create');
    $user = $ctx['users']->CreateUser([
        'username' => $username,
        'email' => "$username@example.com",
        'displayName' => SPECIAL,
        'role' => ['auditor', 'admin'],
    ])->user;
    ok(is_int($user->id) && $user->id > 0, 'id is a positive int: ' . show($user->id));
    eq($user->username, $username, 'username');
    eq($user->email, "$username@example.com", 'email');
    eq($user->displayName, SPECIAL, 'displayName (spaces and markup kept)');
    eq($user->role, ['auditor', 'admin'], 'role (many occurrences, in the order sent)');
    eq($user->status, 'active', 'status');
    recent($user->createdAt, 'createdAt');
    same_instant($user->createdAt, $user->updatedAt, 'createdAt = updatedAt');
};

$CHECKS['UserService CreateUser with one role and no display name'] = function (array $ctx): void {
    $user = create_user($ctx, 'minimal', ['clerk']);
    eq($user->role, ['clerk'], 'role (one occurrence is still an array)');
    eq(opt($user, 'displayName'), null, 'displayName (absent)');
};

$CHECKS['UserService GetUser by id and by username'] = function (array $ctx): void {
    $created = create_user($ctx, 'get', ['customer', 'clerk'], ['displayName' => 'Getter ö']);
    same($ctx['users']->GetUser(['id' => $created->id])->user, $created, 'by id');
    same($ctx['users']->GetUser(['username' => $created->username])->user, $created, 'by username');
};

$CHECKS['UserService ListUsers pages, filters and an empty result'] = function (array $ctx): void {
    $domain = 'd' . uid() . '.example.org';
    $made = [];
    foreach (['charlie' => ['clerk'], 'alpha' => ['admin'], 'bravo' => ['clerk']] as $local => $roles) {
        $made[$local] = $ctx['users']->CreateUser([
            'username' => unique_name($local), 'email' => "$local@$domain", 'role' => $roles,
        ])->user;
    }
    $first = $ctx['users']->ListUsers(['emailContains' => $domain, 'sortBy' => 'email', 'pageSize' => 2]);
    eq(array_map(fn ($u) => $u->email, items($first, 'user')), ["alpha@$domain", "bravo@$domain"], 'first page');
    eq($first->totalCount, 3, 'totalCount');
    ok(is_string(opt($first, 'nextPageToken')) && $first->nextPageToken !== '', 'nextPageToken on the first page');

    $second = $ctx['users']->ListUsers([
        'emailContains' => $domain, 'sortBy' => 'email', 'pageSize' => 2, 'pageToken' => $first->nextPageToken,
    ]);
    ok(is_array($second->user) && count($second->user) === 1, 'one occurrence of user is an array of one');
    same($second->user[0], $made['charlie'], 'second page');
    eq(opt($second, 'nextPageToken'), null, 'no nextPageToken on the last page');

    $clerks = $ctx['users']->ListUsers(['emailContains' => $domain, 'role' => 'clerk', 'sortBy' => 'email', 'descending' => true]);
    eq(array_map(fn ($u) => $u->id, items($clerks, 'user')), [$made['charlie']->id, $made['bravo']->id], 'clerks, descending');

    $empty = $ctx['users']->ListUsers(['emailContains' => 'none-' . uid() . '.example.org']);
    eq(opt($empty, 'user'), null, 'no user element');
    eq($empty->totalCount, 0, 'totalCount of no match');
};

$CHECKS['UserService UpdateUser changes fields and nils the display name; UserNotFoundFault'] = function (array $ctx): void {
    $created = create_user($ctx, 'update', ['customer'], ['displayName' => 'Before']);
    $email = unique_name('moved') . '@example.net';
    $updated = $ctx['users']->UpdateUser(['id' => $created->id, 'email' => $email, 'status' => 'suspended'])->user;
    eq([$updated->id, $updated->email, $updated->status], [$created->id, $email, 'suspended'], 'changed fields');
    eq($updated->displayName, 'Before', 'displayName left out: kept');
    same_instant($updated->createdAt, $created->createdAt, 'createdAt');
    not_before($updated->updatedAt, $created->updatedAt, 'updatedAt');

    $cleared = $ctx['users']->UpdateUser(['id' => $created->id, 'displayName' => null])->user; // xsi:nil
    ok(strpos($ctx['users']->__getLastRequest(), 'xsi:nil="true"') !== false, 'null was sent as xsi:nil');
    eq(opt($cleared, 'displayName'), null, 'displayName removed');
    eq($cleared->email, $email, 'email kept');

    $fault = expect_fault(fn () => $ctx['users']->UpdateUser(['id' => MISSING_ID, 'status' => 'active']));
    eq(fault_detail($ctx, $fault, 'UserNotFoundFault')->id, (string) MISSING_ID, 'UserNotFoundFault/id');
};

$CHECKS['UserService DeleteUser is idempotent; then GetUser is UserNotFoundFault'] = function (array $ctx): void {
    $user = create_user($ctx, 'delete');
    eq($ctx['users']->DeleteUser(['id' => $user->id])->deleted, true, 'first delete');
    eq($ctx['users']->DeleteUser(['id' => $user->id])->deleted, false, 'second delete');
    $fault = expect_fault(fn () => $ctx['users']->GetUser(['id' => $user->id]));
    $detail = fault_detail($ctx, $fault, 'UserNotFoundFault');
    eq($fault->faultstring, "no user with id {$user->id}", 'faultstring');
    eq($detail->id, (string) $user->id, 'detail id');
    eq(opt($detail, 'username'), null, 'detail username (absent)');

    $ghost = unique_name('ghost');
    $detail = fault_detail($ctx, expect_fault(fn () => $ctx['users']->GetUser(['username' => $ghost])), 'UserNotFoundFault');
    eq($detail->username, $ghost, 'detail username');
    eq(opt($detail, 'id'), null, 'detail id (absent)');
};

$CHECKS['UserService DuplicateUserFault and ValidationFault'] = function (array $ctx): void {
    $existing = create_user($ctx, 'dup');
    $fault = expect_fault(fn () => $ctx['users']->CreateUser([
        'username' => $existing->username, 'email' => unique_name('other') . '@example.com', 'role' => ['clerk'],
    ]));
    $detail = fault_detail($ctx, $fault, 'DuplicateUserFault');
    eq([$detail->field, $detail->value], ['username', $existing->username], 'DuplicateUserFault field, value');

    $fault = expect_fault(fn () => $ctx['users']->CreateUser([
        'username' => unique_name('bad'), 'email' => 'not-an-email', 'role' => ['clerk'],
    ]));
    eq(validation_paths($ctx, $fault), ['email'], 'ValidationFault paths');
    eq(validation_paths($ctx, expect_fault(fn () => $ctx['users']->ListUsers(['pageSize' => 0]))), ['pageSize'], 'pageSize 0');
};

// CatalogService

$CHECKS['CatalogService CreateProduct and GetProduct return every field'] = function (array $ctx): void {
    $sku = unique_sku('CREATE');
    $description = "Grüße ö ' & < > \"quoted\"";
    $product = $ctx['catalog']->CreateProduct([
        'sku' => $sku, 'name' => 'Steel widget', 'description' => $description, 'unitPrice' => '19.99',
        'currency' => 'EUR', 'stock' => 10, 'tag' => ['steel', 'hardware'],
    ])->product;
    eq([$product->sku, $product->name, $product->description], [$sku, 'Steel widget', $description], 'sku, name, description');
    money($product->unitPrice, '19.99', 'unitPrice');
    eq([$product->currency, $product->stock, $product->status], ['EUR', 10, 'active'], 'currency, stock, status');
    eq($product->tag, ['steel', 'hardware'], 'tag (many, in the order sent)');
    recent($product->createdAt, 'createdAt');
    same_instant($product->createdAt, $product->updatedAt, 'createdAt = updatedAt');
    same($ctx['catalog']->GetProduct(['sku' => $sku])->product, $product, 'GetProduct');

    $one = create_product($ctx, 'ONE', ['unitPrice' => '0.50', 'stock' => 0, 'tag' => ['solo']]);
    eq($one->tag, ['solo'], 'one tag is an array of one');
    money($one->unitPrice, '0.50', 'unitPrice 0.50');
    eq(opt($one, 'description'), null, 'description (absent)');
    eq(opt(create_product($ctx, 'NONE'), 'tag'), null, 'no tag element');
};

$CHECKS['CatalogService DuplicateProductFault, ProductNotFoundFault, ValidationFault'] = function (array $ctx): void {
    $existing = create_product($ctx, 'DUP');
    $fault = expect_fault(fn () => $ctx['catalog']->CreateProduct([
        'sku' => $existing->sku, 'name' => 'Another', 'unitPrice' => '4.00', 'currency' => 'EUR', 'stock' => 1,
    ]));
    eq(fault_detail($ctx, $fault, 'DuplicateProductFault')->sku, $existing->sku, 'DuplicateProductFault sku');

    $ghost = unique_sku('GHOST');
    foreach ([
        'GetProduct' => ['sku' => $ghost],
        'UpdateProduct' => ['sku' => $ghost, 'name' => 'x'],
        'DiscontinueProduct' => ['sku' => $ghost],
        'AdjustStock' => ['sku' => $ghost, 'delta' => 1, 'reason' => 'restock'],
    ] as $operation => $request) {
        $fault = expect_fault(fn () => $ctx['catalog']->$operation($request));
        eq(fault_detail($ctx, $fault, 'ProductNotFoundFault')->sku, $ghost, "$operation: ProductNotFoundFault sku");
        ok(strpos($fault->faultstring, $ghost) !== false, "$operation: faultstring names the SKU");
    }

    $fault = expect_fault(fn () => $ctx['catalog']->CreateProduct([
        'sku' => unique_sku('BADTAG'), 'name' => 'Bad tags', 'unitPrice' => '1.00', 'currency' => 'EUR',
        'stock' => 1, 'tag' => ['fine', 'Bad Tag'],
    ]));
    eq(validation_paths($ctx, $fault), ['tag[2]'], 'bad tag');
};

$CHECKS['CatalogService UpdateProduct fields, tags wrapper, nil description'] = function (array $ctx): void {
    $created = create_product($ctx, 'UPD', ['unitPrice' => '19.99', 'stock' => 6, 'tag' => ['old'], 'description' => 'Keep ö']);
    $renamed = $ctx['catalog']->UpdateProduct(['sku' => $created->sku, 'name' => 'Renamed & <new>', 'unitPrice' => '17.50'])->product;
    eq($renamed->name, 'Renamed & <new>', 'name');
    money($renamed->unitPrice, '17.50', 'unitPrice');
    eq([$renamed->description, $renamed->tag, $renamed->stock], ['Keep ö', ['old'], 6], 'untouched fields');
    same_instant($renamed->createdAt, $created->createdAt, 'createdAt');
    not_before($renamed->updatedAt, $created->updatedAt, 'updatedAt');

    $retagged = $ctx['catalog']->UpdateProduct(['sku' => $created->sku, 'tags' => ['tag' => ['sale', 'hardware', 'new']]])->product;
    eq($retagged->tag, ['sale', 'hardware', 'new'], 'tags replaced, in the order sent');
    $cleared = $ctx['catalog']->UpdateProduct(['sku' => $created->sku, 'tags' => ['tag' => []]])->product; // <tags/>
    eq(opt($cleared, 'tag'), null, 'tags cleared');
    $nilled = $ctx['catalog']->UpdateProduct(['sku' => $created->sku, 'description' => null])->product; // xsi:nil
    eq(opt($nilled, 'description'), null, 'description removed');
    same($ctx['catalog']->GetProduct(['sku' => $created->sku])->product, $nilled, 'GetProduct after the updates');
};

$CHECKS['CatalogService DiscontinueProduct (idempotent) hides it from SearchProducts'] = function (array $ctx): void {
    $word = unique_word();
    $kept = create_product($ctx, 'KEEP', ['name' => "Kept $word"]);
    $gone = create_product($ctx, 'GONE', ['name' => "Gone $word", 'stock' => 5]);
    $discontinued = $ctx['catalog']->DiscontinueProduct(['sku' => $gone->sku])->product;
    eq([$discontinued->status, $discontinued->stock], ['discontinued', 5], 'status, stock');
    eq($ctx['catalog']->DiscontinueProduct(['sku' => $gone->sku])->product->status, 'discontinued', 'again');

    $default = $ctx['catalog']->SearchProducts(['text' => $word]);
    eq(array_map(fn ($p) => $p->sku, items($default, 'product')), [$kept->sku], 'default search');
    $all = $ctx['catalog']->SearchProducts(['text' => $word, 'includeDiscontinued' => true, 'sortBy' => 'name']);
    eq(array_map(fn ($p) => [$p->sku, $p->status], items($all, 'product')),
        [[$gone->sku, 'discontinued'], [$kept->sku, 'active']], 'includeDiscontinued');
};

$CHECKS['CatalogService AdjustStock; InsufficientStockFault; ValidationFault'] = function (array $ctx): void {
    $product = create_product($ctx, 'STOCK', ['stock' => 10]);
    $up = $ctx['catalog']->AdjustStock(['sku' => $product->sku, 'delta' => 5, 'reason' => 'restock ö & <supplier>']);
    eq([$up->sku, $up->stock], [$product->sku, 15], 'after +5');
    eq($ctx['catalog']->AdjustStock(['sku' => $product->sku, 'delta' => -3, 'reason' => 'damaged'])->stock, 12, 'after -3');

    $fault = expect_fault(fn () => $ctx['catalog']->AdjustStock(['sku' => $product->sku, 'delta' => -13, 'reason' => 'too many']));
    $detail = fault_detail($ctx, $fault, 'InsufficientStockFault');
    eq([$detail->sku, $detail->requested, $detail->available], [$product->sku, '13', '12'], 'InsufficientStockFault');
    eq(stock_of($ctx, $product->sku), 12, 'stock unchanged');

    $fault = expect_fault(fn () => $ctx['catalog']->AdjustStock(['sku' => $product->sku, 'delta' => 1, 'reason' => '   ']));
    eq(validation_paths($ctx, $fault), ['reason'], 'blank reason');
};

$CHECKS['CatalogService SearchProducts by word, price, stock, pages; no match; ValidationFault'] = function (array $ctx): void {
    $word = unique_word();
    $made = [];
    foreach (['delta' => ['8.25', 2], 'alpha' => ['5.00', 0], 'charlie' => ['20.00', 7], 'bravo' => ['12.50', 3]] as $key => [$price, $stock]) {
        $made[$key] = create_product($ctx, strtoupper($key), ['name' => ucfirst($key) . " {$word}lamp", 'unitPrice' => $price, 'stock' => $stock]);
    }
    $skus = fn ($page) => array_map(fn ($p) => $p->sku, items($page, 'product'));

    $page = $ctx['catalog']->SearchProducts(['text' => substr($word, 0, 10)]);
    eq($skus($page), [$made['alpha']->sku, $made['bravo']->sku, $made['charlie']->sku, $made['delta']->sku], 'prefix search by name');
    eq([$page->totalCount, opt($page, 'nextPageToken')], [4, null], 'totalCount, no token');

    $ranged = $ctx['catalog']->SearchProducts(['text' => $word, 'minPrice' => '6.00', 'maxPrice' => '15.00', 'sortBy' => 'price', 'descending' => true]);
    eq(array_map(fn ($p) => [$p->sku, $p->unitPrice], items($ranged, 'product')),
        [[$made['bravo']->sku, '12.50'], [$made['delta']->sku, '8.25']], 'price range (exact amounts)');

    $first = $ctx['catalog']->SearchProducts(['text' => $word, 'inStockOnly' => true, 'sortBy' => 'price', 'pageSize' => 1]);
    eq([$skus($first), $first->totalCount], [[$made['delta']->sku], 3], 'in stock, first page');
    $next = $ctx['catalog']->SearchProducts(['text' => $word, 'inStockOnly' => true, 'sortBy' => 'price', 'pageSize' => 1, 'pageToken' => $first->nextPageToken]);
    eq($skus($next), [$made['bravo']->sku], 'in stock, second page');

    $none = $ctx['catalog']->SearchProducts(['text' => unique_word()]);
    eq([opt($none, 'product'), $none->totalCount], [null, 0], 'no match');

    $fault = expect_fault(fn () => $ctx['catalog']->SearchProducts(['minPrice' => '10.00', 'maxPrice' => '9.99']));
    eq(validation_paths($ctx, $fault), ['maxPrice'], 'min above max');
};

// OrderService

$CHECKS['OrderService PlaceOrder and GetOrder return every field; idempotent retry'] = function (array $ctx): void {
    $customer = create_user($ctx, 'buyer');
    $widget = create_product($ctx, 'WIDGET', ['name' => 'Steel widget', 'unitPrice' => '19.99', 'stock' => 10]);
    $gadget = create_product($ctx, 'GADGET', ['name' => 'Gadget ö', 'unitPrice' => '5.00', 'stock' => 3]);
    $reference = 'ref-' . uid(8);
    $shipping = address("Jörg Öztürk & <Söhne> 'GmbH'");
    $request = [
        'customerId' => $customer->id,
        'line' => [['sku' => $widget->sku, 'quantity' => 2], ['sku' => $gadget->sku, 'quantity' => 1]],
        'shippingAddress' => $shipping,
        'clientReference' => $reference,
    ];
    $order = $ctx['orders']->PlaceOrder($request)->order;
    ok(is_int($order->id) && $order->id > 0, 'id');
    eq([$order->customerId, $order->status, $order->clientReference], [$customer->id, 'placed', $reference], 'customerId, status, clientReference');
    eq(array_map(fn ($l) => [$l->sku, $l->productName, $l->quantity, $l->unitPrice, $l->lineTotal], $order->line), [
        [$widget->sku, 'Steel widget', 2, '19.99', '39.98'],
        [$gadget->sku, 'Gadget ö', 1, '5.00', '5.00'],
    ], 'lines (exact amounts)');
    money($order->total, '44.98', 'total');
    eq($order->currency, 'EUR', 'currency');
    eq(get_object_vars($order->shippingAddress), $shipping, 'shippingAddress');
    recent($order->placedAt, 'placedAt');
    same_instant($order->placedAt, $order->updatedAt, 'placedAt = updatedAt');
    eq(opt($order, 'cancelReason'), null, 'cancelReason (absent)');
    eq(stock_of($ctx, $widget->sku), 8, 'widget stock taken');
    same($ctx['orders']->GetOrder(['id' => $order->id])->order, $order, 'GetOrder');

    same($ctx['orders']->PlaceOrder($request)->order, $order, 'retry with the same clientReference');
    eq(stock_of($ctx, $widget->sku), 8, 'retry took nothing');

    $single = place($ctx, $customer, [[$gadget, 2]]);
    ok(is_array($single->line) && count($single->line) === 1, 'one line is an array of one');
    eq(opt($single, 'clientReference'), null, 'clientReference (absent)');
    money($single->total, '10.00', 'single total');
};

$CHECKS['OrderService PlaceOrder faults: InsufficientStockFault, ProductNotFoundFault, ValidationFault; OrderNotFoundFault'] = function (array $ctx): void {
    $customer = create_user($ctx, 'faulty');
    $scarce = create_product($ctx, 'SCARCE', ['stock' => 1]);
    $ghost = unique_sku('GHOST');

    $detail = fault_detail($ctx, expect_fault(fn () => place($ctx, $customer, [[$scarce, 5]])), 'InsufficientStockFault');
    eq([$detail->sku, $detail->requested, $detail->available], [$scarce->sku, '5', '1'], 'InsufficientStockFault');
    $detail = fault_detail($ctx, expect_fault(fn () => place($ctx, $customer, [[$ghost, 1]])), 'ProductNotFoundFault');
    eq($detail->sku, $ghost, 'ProductNotFoundFault sku');
    $fault = expect_fault(fn () => place($ctx, $customer, [[$scarce, 1], [$ghost, 0]]));
    eq(validation_paths($ctx, $fault), ['line[2]/quantity'], 'quantity 0');
    eq(stock_of($ctx, $scarce->sku), 1, 'nothing taken');

    foreach (['GetOrder' => [], 'ShipOrder' => [], 'CancelOrder' => ['reason' => 'never existed']] as $operation => $extra) {
        $fault = expect_fault(fn () => $ctx['orders']->$operation(['id' => MISSING_ID] + $extra));
        eq(fault_detail($ctx, $fault, 'OrderNotFoundFault')->id, (string) MISSING_ID, "$operation: OrderNotFoundFault id");
        eq($fault->faultstring, 'no order with id ' . MISSING_ID, "$operation: faultstring");
    }
    eq(validation_paths($ctx, expect_fault(fn () => $ctx['orders']->ListOrders(['pageSize' => 0]))), ['pageSize'], 'ListOrders pageSize 0');
};

$CHECKS['OrderService ListOrders, ShipOrder, CancelOrder; InvalidOrderStateFault'] = function (array $ctx): void {
    $customer = create_user($ctx, 'lister');
    $product = create_product($ctx, 'LIST', ['unitPrice' => '1.00', 'stock' => 100]);
    $placed = [];
    foreach ([1, 2, 3] as $quantity) {
        $placed[] = place($ctx, $customer, [[$product, $quantity]]);
        usleep(10000); // distinct placedAt instants
    }
    $newest_first = array_reverse(array_map(fn ($o) => $o->id, $placed));
    $ids = fn ($page) => array_map(fn ($o) => $o->id, items($page, 'order'));

    $page = $ctx['orders']->ListOrders(['customerId' => $customer->id]);
    eq([$ids($page), $page->totalCount, opt($page, 'nextPageToken')], [$newest_first, 3, null], 'all, newest first');
    $first = $ctx['orders']->ListOrders(['customerId' => $customer->id, 'pageSize' => 2]);
    $rest = $ctx['orders']->ListOrders(['customerId' => $customer->id, 'pageSize' => 2, 'pageToken' => $first->nextPageToken]);
    eq(array_merge($ids($first), $ids($rest)), $newest_first, 'two pages');

    // The window is compared as instants: the same instant written in +01:00 selects the same orders.
    $from = in_offset($placed[1]->placedAt, '+01:00');
    eq($ids($ctx['orders']->ListOrders(['customerId' => $customer->id, 'placedFrom' => $from])),
        array_slice($newest_first, 0, 2), "placedFrom $from");
    $to = in_offset($placed[1]->placedAt, '-05:00');
    eq($ids($ctx['orders']->ListOrders(['customerId' => $customer->id, 'placedTo' => $to])), [$placed[0]->id], "placedTo $to");

    $shipped = $ctx['orders']->ShipOrder(['id' => $placed[0]->id])->order;
    eq([$shipped->status, opt($shipped, 'cancelReason')], ['shipped', null], 'shipped');
    same_instant($shipped->placedAt, $placed[0]->placedAt, 'placedAt kept');
    not_before($shipped->updatedAt, $placed[0]->updatedAt, 'updatedAt');

    $reason = "Kunde hat storniert – ö ' & <sofort>";
    $cancelled = $ctx['orders']->CancelOrder(['id' => $placed[1]->id, 'reason' => $reason])->order;
    eq([$cancelled->status, $cancelled->cancelReason], ['cancelled', $reason], 'cancelled');
    eq(stock_of($ctx, $product->sku), 100 - 1 - 3, 'stock back after the cancel');

    foreach ([
        ['CancelOrder', ['reason' => 'too late'], 'cancel', $placed[0]->id, 'shipped'],
        ['ShipOrder', [], 'ship', $placed[0]->id, 'shipped'],
        ['ShipOrder', [], 'ship', $placed[1]->id, 'cancelled'],
    ] as [$operation, $extra, $action, $id, $status]) {
        $fault = expect_fault(fn () => $ctx['orders']->$operation(['id' => $id] + $extra));
        $detail = fault_detail($ctx, $fault, 'InvalidOrderStateFault');
        eq([$detail->id, $detail->currentStatus, $detail->attemptedAction], [(string) $id, $status, $action], "$operation of a $status order");
    }
    eq($ids($ctx['orders']->ListOrders(['customerId' => $customer->id, 'status' => 'shipped'])), [$placed[0]->id], 'status filter');
};

$CHECKS['OrderService SalesReport by product, customer and day; ValidationFault'] = function (array $ctx): void {
    $start = utc_now('-1 minute');
    $ann = create_user($ctx, 'ann');
    $bob = create_user($ctx, 'bob');
    $lamp = create_product($ctx, 'LAMP', ['unitPrice' => '10.00', 'stock' => 50]);
    $bulb = create_product($ctx, 'BULB', ['unitPrice' => '2.55', 'stock' => 50]);
    $first = place($ctx, $ann, [[$lamp, 2], [$bulb, 1]]);         // 22.55
    $shipped = place($ctx, $bob, [[$lamp, 1]]);                   // 10.00, shipped: counted
    $cancelled = place($ctx, $ann, [[$bulb, 4]]);                 // cancelled: not counted
    $ctx['orders']->ShipOrder(['id' => $shipped->id]);
    $ctx['orders']->CancelOrder(['id' => $cancelled->id, 'reason' => 'wrong bulbs']);
    $end = utc_now('+1 minute');

    $report = function (string $groupBy, array $keys, string $from, string $to) use ($ctx): array {
        $rows = [];
        foreach (items($ctx['orders']->SalesReport(['from' => $from, 'to' => $to, 'groupBy' => $groupBy]), 'row') as $row) {
            if (in_array($row->key, $keys, true)) {
                // revenue is xs:decimal: a string with the exact amount.
                $rows[$row->key] = [$row->currency, $row->orderCount, $row->quantity, $row->revenue];
            }
        }
        ksort($rows);
        return $rows;
    };
    $expected = [$lamp->sku => ['EUR', 2, 3, '30.00'], $bulb->sku => ['EUR', 1, 1, '2.55']];
    ksort($expected);
    eq($report('product', [$lamp->sku, $bulb->sku], $start, $end), $expected, 'by product');
    $expected = [(string) $ann->id => ['EUR', 1, 3, '22.55'], (string) $bob->id => ['EUR', 1, 1, '10.00']];
    ksort($expected);
    eq($report('customer', [(string) $ann->id, (string) $bob->id], $start, $end), $expected, 'by customer');

    // Other suites order on the same server: our orders are a lower bound of their day's row
    // (amounts compared in integer cents from the exact strings: no floats, no bcmath).
    $ours = [];
    foreach ([[$first, 3, 2255], [$shipped, 1, 1000]] as [$order, $quantity, $cents]) {
        $day = instant($order->placedAt)->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d');
        $ours[$day] = [($ours[$day][0] ?? 0) + 1, ($ours[$day][1] ?? 0) + $quantity, ($ours[$day][2] ?? 0) + $cents];
    }
    $byDay = $report('day', array_map('strval', array_keys($ours)), $start, $end);
    foreach ($ours as $day => [$count, $quantity, $cents]) {
        $row = $byDay[$day] ?? null;
        ok($row !== null, "no row for $day");
        ok(preg_match('/^\d+\.\d\d$/', $row[3]) === 1, 'day revenue ' . show($row[3]));
        ok($row[0] === 'EUR' && $row[1] >= $count && $row[2] >= $quantity && (int) str_replace('.', '', $row[3]) >= $cents,
            "day row $day: " . show($row));
    }

    $before = utc_now('-1 day');
    eq($report('product', [$lamp->sku, $bulb->sku], $before, $start), [], 'a window before the orders');
    $empty = $ctx['orders']->SalesReport(['from' => '2001-01-01T00:00:00Z', 'to' => '2001-01-02T00:00:00+01:00', 'groupBy' => 'day']);
    eq(opt($empty, 'row'), null, 'an empty report has no row element');

    $fault = expect_fault(fn () => $ctx['orders']->SalesReport(['from' => $end, 'to' => $end, 'groupBy' => 'day']));
    eq(validation_paths($ctx, $fault), ['to'], 'from = to');
};

// AuthService (sessions) and UserService SetPassword

$CHECKS['UserService SetPassword; AuthService Login, WhoAmI with only a SessionToken, Logout'] = function (array $ctx): void {
    $user = create_user($ctx, 'session', ['customer'], ['password' => 'first-password-1']);
    eq($ctx['users']->SetPassword(['id' => $user->id, 'newPassword' => 'second-password-2'])->id, $user->id, 'SetPassword id');

    $anonymous = anonymous_auth_client($ctx);
    $login = $anonymous->Login(['username' => $user->username, 'password' => 'second-password-2']);
    ok(strpos($anonymous->__getLastRequest(), 'Security') === false, 'Login: a Security header was sent');
    ok(is_string($login->sessionToken) && $login->sessionToken !== '', 'sessionToken ' . show($login->sessionToken));
    ok((float) micros(instant($login->expiresAt, 'expiresAt')) > microtime(true), "expiresAt {$login->expiresAt} is not in the future");

    $session = session_client($ctx, $login->sessionToken);
    $who = $session->WhoAmI([]);
    $sent = $session->__getLastRequest();
    ok(strpos($sent, 'Security') === false, 'WhoAmI: a Security header was sent');
    ok(strpos($sent, '>' . $login->sessionToken . '</') !== false && strpos($sent, SECURITY_NS) !== false, 'WhoAmI: no SessionToken header sent');
    eq([$who->userId, $who->username, $who->authentication], [$user->id, $user->username, 'session'], 'WhoAmI with the SessionToken');
    eq(items($who, 'role'), ['customer'], 'role');

    eq($session->Logout([])->loggedOut, true, 'Logout loggedOut');
    $fault = expect_fault(fn () => $session->WhoAmI([]));
    security_fault($ctx, $session, $fault, 'FailedAuthentication');
};

$CHECKS['AuthService Login with a wrong password is wsse:FailedAuthentication'] = function (array $ctx): void {
    $user = create_user($ctx, 'badlogin', ['customer'], ['password' => 'first-password-1']);
    $anonymous = anonymous_auth_client($ctx);
    foreach (['first-password-1-wrong', 'not-the-password'] as $password) {
        $fault = expect_fault(fn () => $anonymous->Login(['username' => $user->username, 'password' => $password]));
        security_fault($ctx, $anonymous, $fault, 'FailedAuthentication');
    }
};

$CHECKS['AuthService ListAuditEvents as the admin: Login events'] = function (array $ctx): void {
    $user = create_user($ctx, 'audited', ['customer'], ['password' => 'first-password-1']);
    anonymous_auth_client($ctx)->Login(['username' => $user->username, 'password' => 'first-password-1']);
    $page = $ctx['auth']->ListAuditEvents(['operation' => 'Login', 'pageSize' => 5]);
    $events = items($page, 'event');
    ok(count($events) >= 1 && count($events) <= 5, 'events: ' . count($events));
    foreach ($events as $event) {
        eq($event->operation, 'Login', "event {$event->id} operation");
        ok(in_array($event->outcome, ['ok', 'fault'], true), "event {$event->id} outcome " . show($event->outcome));
        instant($event->at, "event {$event->id} at");
    }
    ok(count(array_filter($events, fn ($e) => $e->outcome === 'ok')) >= 1, 'no Login event with outcome ok: ' . show($events));
};

// WS-Security

$CHECKS['WS-Security PasswordDigest computed here authenticates (AuthService WhoAmI), a fresh nonce per request'] = function (array $ctx): void {
    global $BASE, $USERNAME, $DIGEST_SECRET;
    $auth = client("$BASE/services/AuthService?wsdl", $ctx['version']);
    $who = $auth->WhoAmI([]);
    eq([$who->username, $who->authentication], [$USERNAME, 'password'], 'WhoAmI with PasswordText');
    foreach ([1, 2] as $n) {
        $auth->__setSoapHeaders([password_digest_header($USERNAME, $DIGEST_SECRET)]);
        $who = $auth->WhoAmI([]);
        ok(strpos($auth->__getLastRequest(), '#PasswordDigest">') !== false, "request $n: no PasswordDigest sent");
        eq([$who->username, $who->authentication], [$USERNAME, 'digest'], "WhoAmI with PasswordDigest, request $n");
        ok(is_int($who->userId) && $who->userId > 0, 'userId ' . show($who->userId));
        ok(in_array('admin', items($who, 'role'), true), 'role ' . show(opt($who, 'role')));
    }
    $users = client("$BASE/services/UserService?wsdl", $ctx['version'], password_digest_header($USERNAME, $DIGEST_SECRET));
    eq($users->GetUser(['username' => $USERNAME])->user->username, $USERNAME, 'GetUser with PasswordDigest');
};

$CHECKS['WS-Security a wrong password or no header is wsse:FailedAuthentication'] = function (array $ctx): void {
    global $BASE, $USERNAME, $PASSWORD;
    $users = client("$BASE/services/UserService?wsdl", $ctx['version'], password_text_header($USERNAME, $PASSWORD . '-wrong'));
    $fault = expect_fault(fn () => $users->GetUser(['username' => $USERNAME]));
    security_fault($ctx, $users, $fault, 'FailedAuthentication');

    $users->__setSoapHeaders(null); // no header at all
    $fault = expect_fault(fn () => $users->GetUser(['username' => $USERNAME]));
    security_fault($ctx, $users, $fault, 'FailedAuthentication');
    ok(strpos($users->__getLastRequest(), 'Security') === false, 'a Security header was sent');
};

// --- run ---------------------------------------------------------------------------------------------

// The SOAP-1.1-only view: one binding, so half the functions of the full WSDL.
check('SOAP 1.1 view ?wsdl&soap=1.1 has only the SOAP 1.1 binding, and works', function () use ($BASE): void {
    foreach (SERVICES as $name) {
        $full = client("$BASE/services/$name?wsdl", SOAP_1_1);
        $view = client("$BASE/services/$name?wsdl&soap=1.1", SOAP_1_1);
        eq(count($full->__getFunctions()), 2 * count($view->__getFunctions()), "$name: functions in ?wsdl vs the view");
    }
    $users = client("$BASE/services/UserService?wsdl&soap=1.1", SOAP_1_1);
    $username = unique_name('view');
    $user = $users->CreateUser(['username' => $username, 'email' => "$username@example.com", 'role' => ['clerk']])->user;
    eq($users->GetUser(['id' => $user->id])->user->username, $username, 'GetUser through the view');
});

foreach ($VERSIONS as $label => $ctx) {
    $ctx['label'] = $label;
    try {
        $ctx['users'] = client("$BASE/services/UserService?wsdl", $ctx['version']);
        $ctx['catalog'] = client("$BASE/services/CatalogService?wsdl", $ctx['version']);
        $ctx['orders'] = client("$BASE/services/OrderService?wsdl", $ctx['version']);
        $ctx['auth'] = client("$BASE/services/AuthService?wsdl", $ctx['version']);
        check("SOAP $label load ?wsdl of every service", function (): void {});
    } catch (Throwable $e) {
        check("SOAP $label load ?wsdl of every service", function () use ($e): void { throw $e; });
        foreach ($CHECKS as $name => $_) {
            check("SOAP $label $name", function (): void { fail('no client (WSDL did not load)'); });
        }
        continue;
    }
    foreach ($CHECKS as $name => $body) {
        check("SOAP $label $name", fn () => $body($ctx));
    }
}

echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
