<?php
// Calls UserService GetUser with PHP's SoapClient: php quickstart.php [1.1|1.2]

const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

$base = getenv('SOAPSTONE_URL') ?: 'http://127.0.0.1:8080';
$username = getenv('SOAPSTONE_USERNAME') ?: 'admin';
$password = getenv('SOAPSTONE_PASSWORD') ?: 'soapstone-admin';
$version = ($argv[1] ?? '1.1') === '1.2' ? SOAP_1_2 : SOAP_1_1;

/** A UserService client that sends a UsernameToken (PasswordText). ext-soap has no
 *  WS-Security of its own: the wsse:Security header goes in as raw XML. */
function users(string $base, int $version, string $username, string $password): SoapClient
{
    $client = new SoapClient("$base/services/UserService?wsdl", [
        'soap_version' => $version,
        'cache_wsdl' => WSDL_CACHE_NONE,
        'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
        'trace' => true,
    ]);
    $token = '<wsse:Security xmlns:wsse="' . WSSE_NS . '"><wsse:UsernameToken>'
        . '<wsse:Username>' . htmlspecialchars($username, ENT_XML1) . '</wsse:Username>'
        . '<wsse:Password Type="' . PASSWORD_TEXT . '">' . htmlspecialchars($password, ENT_XML1) . '</wsse:Password>'
        . '</wsse:UsernameToken></wsse:Security>';
    $client->__setSoapHeaders([new SoapHeader(WSSE_NS, 'Security', new SoapVar($token, XSD_ANYXML))]);
    return $client;
}

/** The WS-Security code: SOAP 1.1's faultcode; under SOAP 1.2 ext-soap keeps only the Code
 *  (env:Sender), so the Subcode is read from the response itself. */
function security_code(SoapClient $client, SoapFault $fault): string
{
    $response = new DOMDocument();
    $response->loadXML($client->__getLastResponse());
    $subcodes = $response->getElementsByTagNameNS(SOAP12_NS, 'Subcode');
    return $subcodes->length > 0 ? trim($subcodes->item(0)->textContent) : $fault->faultcode;
}

$users = users($base, $version, $username, $password);

$me = $users->GetUser(['username' => $username])->user;
echo "GetUser: id=$me->id username=$me->username roles=" . implode(',', $me->role) . "\n";

try {
    $users->GetUser(['username' => 'nobody']);
    throw new LogicException('expected a UserNotFoundFault');
} catch (SoapFault $fault) {
    $detail = $fault->detail->UserNotFoundFault ?? throw $fault; // the typed detail
    echo "UserNotFoundFault: username=$detail->username message=$detail->message\n";
}

$intruder = users($base, $version, $username, 'not-the-password');
try {
    $intruder->GetUser(['username' => $username]);
    throw new LogicException('expected wsse:FailedAuthentication');
} catch (SoapFault $fault) {
    echo 'wrong password: ' . security_code($intruder, $fault) . "\n";
}
