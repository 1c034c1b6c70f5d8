import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const fixtures = new URL('../fixtures/coverage/', import.meta.url);

/** A JSON fixture under test/fixtures/coverage/. */
export function coverageFixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, fixtures), 'utf8'));
}

/** The ATT&CK Navigator layer 4.5 schema (draft-07, written from the spec), compiled. */
export function compileLayerSchema() {
  return new Ajv({ allErrors: true }).compile(
    coverageFixture('navigator/layerformat-4.5.schema.json') as object,
  );
}

const bundleSchemaId =
  'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json';

/** The STIX 2.1 bundle schema of oasis-open/cti-stix2-json-schemas (draft 2020-12) with every schema it refers to. */
export function compileStixBundleSchema() {
  // unicodeRegExp off: core.json's type pattern has `\-`, an escape the `u` flag rejects.
  const ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  ajv.addFormat('idn-hostname', true);
  for (const folder of ['common', 'sdos', 'sros', 'observables']) {
    for (const file of readdirSync(new URL(`stix/schemas/${folder}/`, fixtures))) {
      ajv.addSchema(coverageFixture(`stix/schemas/${folder}/${file}`) as object);
    }
  }
  const validate = ajv.getSchema(bundleSchemaId);
  if (validate === undefined) throw new Error('bundle.json is not among the STIX schemas');
  return validate;
}
