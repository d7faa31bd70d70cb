// Package exchange is the signed transfer package that carries one
// person's record from one deployment of omahoito to another: a zip of
// named byte streams (FHIR NDJSON per resource type and file contents)
// with a manifest that names, sizes and digests every entry, signed with
// the source region's ed25519 key. It builds no FHIR and touches no
// store; `omahoito export` fills a [Writer] and `omahoito import` stores
// what [Open] has verified. No HTTP, no SQL.
//
// # Format (version 1)
//
// The package is a zip archive whose entries are, in this order:
//
//   - the data entries: `<Type>.ndjson` (one FHIR resource of that type a
//     line, each line ended by "\n"; Type is a FHIR resource type such as
//     Patient, Observation, Consent, AuditEvent, DocumentReference) and
//     `files/<id>` (the content of one file, byte for byte);
//   - `manifest.json`: [Manifest] as encoding/json writes it (fixed field
//     order, no insignificant space): the format version, the package id,
//     the time it was made, the source deployment and region, the target
//     region when known, the person id, the number of lines of each NDJSON
//     entry, and for every data entry its name, size and SHA-256 (hex) and
//     the size and SHA-256 of its stored (compressed) bytes;
//   - `manifest.jws`: a compact JWS with detached payload
//     (RFC 7515 appendix F) over the exact bytes of manifest.json, alg
//     EdDSA (ed25519), kid naming the signing key as [audit.KeyID] does,
//     typ "omahoito-transfer+json".
//
// NDJSON entries are deflated, files and the two manifest entries stored.
// The writer streams: it never holds an entry whole, digests entries as
// they pass and writes the manifest and its signature last.
//
// # Verification
//
// [Open] refuses a package before returning it unless all of these hold:
// the zip is in the writer's canonical form (every local header agrees
// with the central directory, data descriptors match, no gaps, no extra
// fields, comments or zip64, nothing after the end record); the JWS
// verifies with a trusted key named by its kid, and that key belongs to
// the manifest's source; the manifest is canonical and of a known format
// version; the archive holds exactly manifest.json, manifest.jws and the
// manifest's entries in the manifest's order, with safe names; and every
// entry's stored bytes, content, CRC-32, size and line count agree with
// the manifest, read to the end. Entries over [Limits] and compression
// ratios that betray a zip bomb are refused from the central directory
// before anything is inflated, and nothing is ever inflated past the size
// the archive declares. Since every byte of the archive is either signed
// or must equal a value derived from signed bytes, a package changed in
// any byte is refused.
package exchange
