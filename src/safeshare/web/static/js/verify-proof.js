// Checks, in the reporter's own browser, that each share decision shown is in the ledger
// the force signed: without trusting the page's words, only the bytes and the published key.
// Progressive enhancement: without JavaScript the page explains how to check offline.
//
// 1. leaf hash = SHA-256(0x00 || entry bytes)                       (RFC 9162 §2.1.1)
// 2. the audit path leads from that leaf to the checkpoint's root  (RFC 9162 §2.1.3.2)
// 3. the checkpoint is a C2SP signed note with a good Ed25519 signature by the force's key,
//    whose key ID is SHA-256(name || 0x0A || 0x01 || public key)[:4] (c2sp.org/signed-note)
// 4. the entry is the decision it is shown under (its seq and decision id match).

const encoder = new TextEncoder();

function hexToBytes(hex) {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error("not hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function base64ToBytes(text) {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or an error.
async function rootFromInclusionProof(leafIndex, treeSize, leaf, auditPath) {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) throw new Error("leaf index out of range");
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of auditPath) {
    if (sn === 0) throw new Error("audit path too long");
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("audit path too short");
  return r;
}

// The checkpoint's tree size and root, once its signature by `keyName` verifies.
async function openCheckpoint(note, keyName, publicKey, origin) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new Error("no signature block");
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || lines[0] !== origin) throw new Error("wrong origin");
  const keyId = (await sha256(concat(encoder.encode(`${keyName}\n`), Uint8Array.of(1), publicKey))).slice(0, 4);
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  let good = false;
  for (const line of note.slice(split + 2).split("\n")) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match || match[1] !== keyName) continue;
    const blob = base64ToBytes(match[2]);
    if (!equal(blob.slice(0, 4), keyId)) continue;
    good = await crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(4), encoder.encode(text));
    if (!good) throw new Error("bad signature");
  }
  if (!good) throw new Error("no signature by the force's key");
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error("bad tree size");
  return { treeSize: Number(lines[1]), rootHash: base64ToBytes(lines[2]) };
}

async function verifyDecision(card, checkpoint) {
  const entryText = card.dataset.entry;
  const entry = JSON.parse(entryText);
  const leafIndex = Number(card.dataset.leafIndex);
  if (entry.seq !== leafIndex || String(entry.data.decision_id) !== card.dataset.decisionId) {
    throw new Error("the entry is not this decision");
  }
  if (Number(card.dataset.treeSize) !== checkpoint.treeSize) throw new Error("wrong tree size");
  const path = card.dataset.auditPath ? card.dataset.auditPath.split(",").map(hexToBytes) : [];
  const leaf = await leafHash(encoder.encode(entryText));
  const root = await rootFromInclusionProof(leafIndex, checkpoint.treeSize, leaf, path);
  if (!equal(root, checkpoint.rootHash)) throw new Error("the proof does not lead to the signed root");
}

function show(status, text, ok) {
  status.textContent = text;
  status.classList.remove("govuk-tag--grey", "govuk-tag--green", "govuk-tag--red");
  status.classList.add(ok === undefined ? "govuk-tag--grey" : ok ? "govuk-tag--green" : "govuk-tag--red");
}

async function main() {
  const context = document.getElementById("proof-context");
  if (!context) return;
  const texts = context.dataset;
  const cards = Array.from(document.querySelectorAll(".app-decision[data-entry]"));
  for (const card of cards) show(card.querySelector("[data-proof-status]"), texts.textChecking);
  let checkpoint = null;
  try {
    checkpoint = await openCheckpoint(
      texts.note, texts.keyName, base64ToBytes(texts.publicKey), texts.origin,
    );
  } catch (error) {
    checkpoint = null;
  }
  for (const card of cards) {
    const status = card.querySelector("[data-proof-status]");
    try {
      if (!checkpoint) throw new Error("the checkpoint does not verify");
      await verifyDecision(card, checkpoint);
      show(status, texts.textVerified, true);
    } catch (error) {
      show(status, texts.textFailed, false);
    }
  }
}

main();
