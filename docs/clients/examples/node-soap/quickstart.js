// Calls UserService GetUser with node-soap: node quickstart.js [1.1|1.2]
'use strict';

const soap = require('soap');

const BASE = process.env.SOAPSTONE_URL || 'http://127.0.0.1:8080';
const USERNAME = process.env.SOAPSTONE_USERNAME || 'admin';
const PASSWORD = process.env.SOAPSTONE_PASSWORD || 'soapstone-admin';
const SOAP12 = process.argv[2] === '1.2';

/** The UserService port of the chosen SOAP version, sending a UsernameToken (PasswordText). */
async function users(password) {
  // Without forceSoap12Headers node-soap writes a SOAP 1.1 envelope whatever the port.
  const client = await soap.createClientAsync(`${BASE}/services/UserService?wsdl`, { forceSoap12Headers: SOAP12 });
  client.setSecurity(new soap.WSSecurity(USERNAME, password, { passwordType: 'PasswordText' }));
  return client.UserService[SOAP12 ? 'UserServiceSoap12Port' : 'UserServiceSoap11Port'];
}

/** Calls one operation of a port: resolves to its result, rejects with the parsed SOAP Fault
 *  (a plain object; any other failure rejects with an Error). */
function call(port, operation, args) {
  return new Promise((resolve, reject) => {
    port[operation](args, (error, result) => {
      if (error && error.root) reject(error.root.Envelope.Body.Fault);
      else if (error) reject(error);
      else resolve(result);
    });
  });
}

/** The WS-Security code: SOAP 1.1's faultcode, or the Subcode under SOAP 1.2's env:Sender. */
function securityCode(fault) {
  return SOAP12 ? fault.Code.Subcode.Value : fault.faultcode;
}

async function main() {
  const service = await users(PASSWORD);

  const { user: me } = await call(service, 'GetUser', { username: USERNAME });
  console.log(`GetUser: id=${me.id} username=${me.username} roles=${me.role.join(',')}`);

  try {
    await call(service, 'GetUser', { username: 'nobody' });
    throw new Error('expected a UserNotFoundFault');
  } catch (fault) {
    if (fault instanceof Error) throw fault;
    const detail = (SOAP12 ? fault.Detail : fault.detail).UserNotFoundFault; // the typed detail
    console.log(`UserNotFoundFault: username=${detail.username} message=${detail.message}`);
  }

  try {
    await call(await users('not-the-password'), 'GetUser', { username: USERNAME });
    throw new Error('expected wsse:FailedAuthentication');
  } catch (fault) {
    if (fault instanceof Error) throw fault;
    console.log(`wrong password: ${securityCode(fault)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
